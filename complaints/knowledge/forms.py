"""The edit forms of the knowledge pages (the services check the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Category

from .models import Article, ArticleKind, ReplyTemplate, TemplateStage
from .placeholders import PLACEHOLDERS


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "— " * (obj.level - 1) + f"{obj.code} {obj.display_name}"


def _category_field():
    return CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).order_by("code"),
        help_text=_("An entry of a level-1 or level-2 category applies to every category below it."),
    )


class _EntryForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category_field()
        self.fields["effective_from"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["effective_to"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["body"].widget = forms.Textarea(attrs={"rows": 12})
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean(self):
        data = super().clean()
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("The end date comes before the start date."))
        return data


class ArticleForm(_EntryForm):
    class Meta:
        model = Article
        fields = ["kind", "title", "category", "effective_from", "effective_to", "body"]


class ReplyTemplateForm(_EntryForm):
    class Meta:
        model = ReplyTemplate
        fields = ["stage", "title", "category", "effective_from", "effective_to", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        self.fields["body"].help_text = _(
            "Placeholders filled for the order: %(names)s. Other text in braces stays as typed."
        ) % {"names": names}


class SearchForm(forms.Form):
    """The list pages' filter (GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.CharField(label=_("Category"), required=False, max_length=12)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ArticleKind.choices]
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *TemplateStage.choices]
    )
    all = forms.BooleanField(label=_("Include retired and not yet (or no longer) effective"), required=False)
