"""Admin for the knowledge base: edits go through the services, so the admin also makes versions."""

from django.contrib import admin

from config.admin_mixins import ReadOnlyAdminMixin

from . import services
from .models import Article, ArticleVersion, ReplyTemplate, ReplyTemplateVersion


class _VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    fields = ["version", "title", "category", "effective_from", "effective_to", "edited_by", "edited_at"]
    readonly_fields = fields
    ordering = ["-version"]


class ArticleVersionInline(_VersionInline):
    model = ArticleVersion


class ReplyTemplateVersionInline(_VersionInline):
    model = ReplyTemplateVersion


class _EntryAdmin(admin.ModelAdmin):
    list_filter = ["is_active", "category__level"]
    search_fields = ["title", "body", "category__code", "category__name"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]
    readonly_fields = ["version", "created_by", "created_at", "updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in services.FIELDS[type(obj)] if name in form.cleaned_data
        }
        if change:
            saved = services.entry_update(type(obj).objects.get(pk=obj.pk), actor=request.user, **fields)
            if "is_active" in form.changed_data:
                saved = services.entry_set_active(
                    saved, actor=request.user, active=form.cleaned_data["is_active"]
                )
        else:
            saved = services.entry_create(type(obj), actor=request.user, **fields)
            if not form.cleaned_data.get("is_active", True):
                saved = services.entry_set_active(saved, actor=request.user, active=False)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: what agents read stays on record


@admin.register(Article)
class ArticleAdmin(_EntryAdmin):
    list_display = [
        "title",
        "kind",
        "category",
        "effective_from",
        "effective_to",
        "is_active",
        "version",
        "read_count",
    ]
    list_filter = ["kind", *_EntryAdmin.list_filter]
    readonly_fields = [*_EntryAdmin.readonly_fields, "read_count"]
    inlines = [ArticleVersionInline]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(_EntryAdmin):
    list_display = [
        "title",
        "stage",
        "category",
        "effective_from",
        "effective_to",
        "is_active",
        "version",
        "use_count",
    ]
    list_filter = ["stage", *_EntryAdmin.list_filter]
    readonly_fields = [*_EntryAdmin.readonly_fields, "use_count"]
    inlines = [ReplyTemplateVersionInline]
