"""Outage events in the admin: read mostly; links and bulk runs are made through the services."""

from django.contrib import admin

from .models import OutageEvent, OutageLink


class OutageLinkInline(admin.TabularInline):
    model = OutageLink
    extra = 0
    fields = ("order", "confirmed", "suggested_score", "linked_by", "linked_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutageEvent)
class OutageEventAdmin(admin.ModelAdmin):
    list_display = ("area", "started_at", "expected_restore_at", "restored_at", "source", "external_ref")
    list_filter = ("source",)
    search_fields = ("area", "cause", "external_ref")
    readonly_fields = ("source", "created_by", "created_at")
    inlines = [OutageLinkInline]
