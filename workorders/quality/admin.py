"""Read-mostly admin for quality inspection (the pages and the API are where the work is done).

Registered once ``workorders/admin.py`` imports it: ``from .quality import admin as _quality_admin``."""

from django.contrib import admin

from .models import Inspection, InspectionAppeal, InspectionLog, InspectionRound


class InspectionLogInline(admin.TabularInline):
    model = InspectionLog
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "payload", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InspectionRound)
class InspectionRoundAdmin(admin.ModelAdmin):
    list_display = ["week", "week_start", "created_at"]
    readonly_fields = ["week", "week_start", "settings_used", "created_by", "created_at"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["id", "round", "order", "agent", "department", "state", "total", "scored_at"]
    list_filter = ["state", "round"]
    list_select_related = ["round", "order", "agent", "department"]
    raw_id_fields = ["order"]
    readonly_fields = [
        "round",
        "order",
        "agent",
        "department",
        "reasons",
        "state",
        "version",
        "inspector",
        "scores",
        "total",
        "comment",
        "scored_at",
        "created_at",
    ]
    inlines = [InspectionLogInline]

    def has_add_permission(self, request):
        return False


@admin.register(InspectionAppeal)
class InspectionAppealAdmin(admin.ModelAdmin):
    list_display = ["inspection", "appealed_by", "appealed_at", "decision", "decided_by"]
    readonly_fields = [f.name for f in InspectionAppeal._meta.fields]

    def has_add_permission(self, request):
        return False
