"""The public forms: the progress lookup and the web intake. Messages are for customers, in plain
words; a refused form keeps what was typed (files must be chosen again: browsers never refill them)."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from accounts.validators import phone_validator

from ..models import Category, account_validator, normalize_phone

phone_last4_validator = RegexValidator(
    r"^\d{4}$", _("Enter the last four digits of the phone number you gave us."), code="invalid"
)

# Size limits of a web complaint (a customer's own words; staff intake allows more).
CONTENT_MAX = 2000
DEMAND_MAX = 1000


def max_files() -> int:
    """Attachments per web complaint: ``PUBLIC_COMPLAIN_MAX_FILES``, default 3."""
    return getattr(settings, "PUBLIC_COMPLAIN_MAX_FILES", 3)


def max_total_bytes() -> int:
    """All attachments of one web complaint together: ``PUBLIC_COMPLAIN_MAX_BYTES``, default the
    staff limit of one file (``ATTACHMENT_MAX_BYTES``)."""
    return getattr(settings, "PUBLIC_COMPLAIN_MAX_BYTES", settings.ATTACHMENT_MAX_BYTES)


class TrackForm(forms.Form):
    tracking_no = forms.CharField(
        label=_("Tracking number"),
        max_length=32,
        error_messages={"required": _("Enter the tracking number from your SMS or from the agent.")},
    )
    phone_last4 = forms.CharField(
        label=_("Last four digits of your phone"),
        max_length=4,
        min_length=4,
        validators=[phone_last4_validator],
        error_messages={
            "required": _("Enter the last four digits of the phone number you gave us."),
            "min_length": _("Enter the last four digits of the phone number you gave us."),
            "max_length": _("Enter the last four digits of the phone number you gave us."),
        },
    )

    def clean_tracking_no(self):
        return "".join(self.cleaned_data["tracking_no"].split())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is checked like a staff
    attachment (``ATTACHMENT_EXTENSIONS``, ``ATTACHMENT_MAX_BYTES``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        return [super(MultipleFileField, self).clean(f, initial) for f in uploads]


def category_choices() -> list:
    """Level 1 and 2 of the active category tree, as grouped choices: each level-1 group offers
    itself ("in general") and its level-2 children."""
    rows = list(Category.objects.filter(is_active=True, level__lte=2).order_by("code"))
    children: dict[int, list[Category]] = {}
    for row in rows:
        if row.parent_id:
            children.setdefault(row.parent_id, []).append(row)
    choices: list = [("", _("— choose —"))]
    for top in (r for r in rows if r.level == 1):
        general = _("%(name)s (in general)") % {"name": top.display_name}
        options = [(str(top.pk), general)] + [(str(c.pk), c.display_name) for c in children.get(top.pk, [])]
        choices.append((top.display_name, options))
    return choices


class ComplainForm(forms.Form):
    customer_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        error_messages={"required": _("Tell us your name, so that we know whom to call back.")},
    )
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        error_messages={"required": _("Give a phone number we can call you back on.")},
    )
    account_no = forms.CharField(
        label=_("Account number (optional)"),
        max_length=10,
        required=False,
        validators=[account_validator],
        help_text=_("The 10 digits on your electricity bill, if you have it at hand."),
    )
    address = forms.CharField(
        label=_("Address where it happened"),
        max_length=255,
        error_messages={"required": _("Give the address where the problem happened.")},
    )
    category = forms.TypedChoiceField(
        label=_("What is it about?"),
        coerce=int,
        error_messages={
            "required": _("Choose what your complaint is about (the closest fits)."),
            "invalid_choice": _("Choose what your complaint is about (the closest fits)."),
        },
    )
    content = forms.CharField(
        label=_("What happened"),
        max_length=CONTENT_MAX,
        widget=forms.Textarea,
        error_messages={"required": _("Describe what happened.")},
    )
    demand = forms.CharField(
        label=_("What you would like us to do"),
        max_length=DEMAND_MAX,
        widget=forms.Textarea,
        error_messages={"required": _("Tell us what you would like us to do.")},
    )
    sms_opt_out = forms.BooleanField(
        label=_("Please do not send me SMS about this complaint"),
        required=False,
        help_text=_("Otherwise you get an SMS with the tracking number, and another when we reply."),
    )
    attachments = MultipleFileField(label=_("Photos or documents (optional)"), required=False)
    challenge_answer = forms.IntegerField(
        label=_("Answer"),
        error_messages={
            "required": _("Answer the little sum, so that we know a person sends this form."),
            "invalid": _("Answer the little sum with a number."),
        },
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        for name, f in self.fields.items():
            css = {"category": "form-select", "sms_opt_out": "form-check-input"}.get(name, "form-control")
            f.widget.attrs.setdefault("class", css)
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields["customer_name"].widget.attrs.update(autocomplete="name")
        self.fields["account_no"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        self.fields["address"].widget.attrs.update(autocomplete="street-address")
        self.fields["content"].widget.attrs.update(rows=5)
        self.fields["demand"].widget.attrs.update(rows=3)
        self.fields["challenge_answer"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        accept = ",".join("." + ext for ext in settings.ATTACHMENT_EXTENSIONS)
        self.fields["attachments"].widget.attrs.update(accept=accept)

    def mark_invalid(self) -> None:
        """Bootstrap's marks on the fields with errors (after validation, before rendering)."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{name}-err"

    def clean_phone(self):
        value = normalize_phone(self.cleaned_data.get("phone", ""))
        phone_validator(value)
        return value

    def clean_category(self):
        pk = self.cleaned_data.get("category")
        category = Category.objects.filter(pk=pk, is_active=True, level__lte=2).first()
        if category is None:
            raise forms.ValidationError(_("Choose what your complaint is about (the closest fits)."))
        return category

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        allowed = settings.ATTACHMENT_EXTENSIONS
        if len(files) > max_files():
            raise forms.ValidationError(
                _("Attach at most %(max)d files.") % {"max": max_files()}, code="too_many_files"
            )
        for upload in files:
            ext = Path(upload.name).suffix.lower().lstrip(".")
            if ext not in allowed:
                raise forms.ValidationError(
                    _(
                        "“%(name)s” cannot be attached: files of type .%(ext)s are not accepted. "
                        "Allowed: %(allowed)s."
                    )
                    % {"name": upload.name, "ext": ext or "?", "allowed": ", ".join(allowed)}
                )
            if upload.size > settings.ATTACHMENT_MAX_BYTES:
                raise forms.ValidationError(
                    _("“%(name)s” is too large (%(size).1f MB); the limit is %(limit).0f MB per file.")
                    % {
                        "name": upload.name,
                        "size": upload.size / 1048576,
                        "limit": settings.ATTACHMENT_MAX_BYTES / 1048576,
                    }
                )
        if sum(f.size for f in files) > max_total_bytes():
            raise forms.ValidationError(
                _("The files are too large together; the limit is %(limit).0f MB in all.")
                % {"limit": max_total_bytes() / 1048576}
            )
        return files

    def intake_fields(self) -> dict:
        """The intake service's fields."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "customer_name",
                "phone",
                "account_no",
                "address",
                "content",
                "demand",
                "sms_opt_out",
            )
        }

    def fingerprint(self) -> dict:
        """What makes two sends the same filing: the fields and the files' names and sizes."""
        data = self.cleaned_data
        return {
            **self.intake_fields(),
            "category": data["category"].pk,
            "files": [[f.name, f.size] for f in data.get("attachments") or []],
        }
