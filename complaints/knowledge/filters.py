"""The API's query parameters (django-filter, so the OpenAPI schema lists them)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import ArticleKind, TemplateStage
from .selectors import article_search, category_resolve, template_search


class _EntryFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(
        method="noop", help_text=_("A category code (040101) or id: its entries and those of its ancestors.")
    )
    q = django_filters.CharFilter(method="noop", help_text=_("Words in the title or text (all of them)."))

    def noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset, by the selector

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        category = None
        if data.get("category"):
            category = category_resolve(data["category"])
            if category is None:
                return queryset.none()
        return self.search(category=category, q=data.get("q") or "", **self.extra_filters(data))


class ArticleFilter(_EntryFilter):
    kind = django_filters.ChoiceFilter(choices=ArticleKind.choices, method="noop")

    def search(self, **kwargs):
        return article_search(**kwargs)

    def extra_filters(self, data):
        return {"kind": data.get("kind") or ""}


class ReplyTemplateFilter(_EntryFilter):
    stage = django_filters.ChoiceFilter(choices=TemplateStage.choices, method="noop")

    def search(self, **kwargs):
        return template_search(**kwargs)

    def extra_filters(self, data):
        return {"stage": data.get("stage") or ""}
