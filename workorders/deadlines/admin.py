"""Admin for the deadline engine: SLA policies, channel limits, the work calendar, deadline rows."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ..models import (
    CENTRE_STAGES,
    POLICY_STAGES,
    ChannelLimit,
    Deadline,
    OrderSla,
    SlaPolicy,
    WorkCalendarDay,
    WorkCalendarYear,
    WorkingPeriod,
)
from .calendar import missing_years


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "level",
        "category",
        "channel",
        "is_active",
        "dispatch_limit",
        "dispatch_unit",
        "contact_limit",
        "contact_unit",
        "reply_limit",
        "reply_unit",
        "updated_at",
    ]
    list_filter = ["level", "is_active", "channel"]
    search_fields = ["name", "category__code", "category__name"]
    autocomplete_fields = []
    raw_id_fields = ["category"]
    fieldsets = [
        (None, {"fields": ["name", "level", "category", "channel", "is_active", "warn_share", "note"]}),
        (
            _("Limits per stage"),
            {
                "description": _(
                    "Changing a policy affects orders classified from now on; existing deadlines "
                    "keep the limits frozen on their order."
                ),
                "fields": [(f"{s}_limit", f"{s}_unit") for s in POLICY_STAGES],
            },
        ),
        (
            _("Limits of the centre's stages"),
            {
                "description": _(
                    "A 督办's answer (when its issuer sets no due time), the assisting parts of a "
                    "co-handled order (协办), and the reply back to the 12398/12345 platform. Empty: "
                    "the system default for 督办 and 协办, the channel's own limit for the platform."
                ),
                "fields": [(f"{s}_limit", f"{s}_unit") for s in CENTRE_STAGES],
            },
        ),
    ]


@admin.register(ChannelLimit)
class ChannelLimitAdmin(admin.ModelAdmin):
    list_display = ["channel", "limit", "unit", "note"]


@admin.register(WorkCalendarYear)
class WorkCalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "note", "source_url"]

    def changelist_view(self, request, extra_context=None):
        for year in missing_years():
            messages.warning(
                request,
                _("No holiday data for %(year)s: add the year and its holidays and adjusted working days.")
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note", "source"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "date"
    search_fields = ["note"]


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(admin.ModelAdmin):
    list_display = ["start", "end"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = [
        "order",
        "stage",
        "cycle",
        "due_at",
        "warned_at",
        "breached_at",
        "escalation_level",
        "met_at",
        "cancelled_at",
        "provisional",
    ]
    list_filter = ["stage", "provisional", "escalation_level"]
    raw_id_fields = ["order"]
    list_select_related = ["order"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrderSla)
class OrderSlaAdmin(admin.ModelAdmin):
    list_display = ["order", "level", "policy", "frozen_at"]
    raw_id_fields = ["order", "policy"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
