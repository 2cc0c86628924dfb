"""Admin for work orders and their records.

The admin never writes an order's state: ``status`` and every field the lifecycle owns are
read-only here, and the admin actions call ``workorders.lifecycle.perform`` as the signed-in user,
exactly like the API and the pages, so roles, scope, state rules, the audit event and the
transition hooks all apply. Events are append-only and shown read-only.
"""

import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from complaints.admin import TopCategoryFilter
from config.admin_mixins import ReadOnlyAdminMixin
from config.api import DomainError

from .deadlines import admin as deadlines_admin  # noqa: F401 (registers the deadline models)
from .lifecycle import ACTIONS, perform
from .models import Assignment, Attachment, ExtensionRequest, WorkOrder, WorkOrderEvent

# Fields an administrator may correct by hand: risk flags that no lifecycle action owns.
EDITABLE_ORDER_FIELDS = ("is_key_customer", "is_sensitive", "upgrade_tendency")

# Lifecycle actions that need no input beyond an optional comment, offered as admin actions.
ADMIN_LIFECYCLE_ACTIONS = ("submit", "accept", "approve", "urge", "escalate")


def _pretty_json(value):
    return format_html("<pre style='margin:0'>{}</pre>", json.dumps(value, ensure_ascii=False, indent=1))


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = WorkOrderEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "version", "details"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("details"))
    def details(self, obj):
        return _pretty_json(obj.payload) if obj.payload else "—"


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["department", "assigned_by", "assigned_at", "returned_at", "return_reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "assigned_by")


class ExtensionRequestInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = [
        "created_at",
        "requested_by",
        "requested_due_at",
        "reason",
        "state",
        "decided_by",
        "decided_at",
        "decision_comment",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by", "decided_by")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["created_at", "original_name", "file", "size", "comment", "uploaded_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


def _lifecycle_admin_action(code):
    """An admin action that applies lifecycle action ``code`` to each selected order via ``perform``."""
    action = ACTIONS[code]

    def run(modeladmin, request, queryset):
        for order in queryset.select_related(None).order_by("pk").only("pk", "tracking_no", "version"):
            try:
                data = (
                    {"comment": gettext("Done in the administration site.")}
                    if "comment" in action.input().fields
                    else {}
                )
                done = perform(order.pk, code, actor=request.user, version=order.version, data=data)
            except DomainError as exc:
                modeladmin.message_user(request, f"{order}: {exc.message}", messages.ERROR)
            except ValidationError as exc:
                modeladmin.message_user(request, f"{order}: {_validation_text(exc)}", messages.ERROR)
            else:
                modeladmin.message_user(
                    request,
                    gettext("%(order)s: %(action)s done; state now %(status)s, level %(level)s.")
                    % {
                        "order": done,
                        "action": action.label,
                        "status": done.get_status_display(),
                        "level": done.get_level_display(),
                    },
                    messages.SUCCESS,
                )

    run.__name__ = f"lifecycle_{code}"
    return admin.action(description=action.label, permissions=["change"])(run)


def _validation_text(exc):
    detail = exc.detail
    if isinstance(detail, dict):
        return "; ".join(
            f"{k}: {' '.join(map(str, v if isinstance(v, list) else [v]))}" for k, v in detail.items()
        )
    if isinstance(detail, list):
        return " ".join(map(str, detail))
    return str(detail)


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = [
        "tracking_no",
        "received_at",
        "status",
        "level",
        "category",
        "unit",
        "department",
        "assignee",
        "channel",
        "is_overdue",
        "is_repeat",
        "urge_count",
        "outcome",
    ]
    list_filter = [
        "status",
        "level",
        "channel",
        "outcome",
        "satisfaction",
        "truthfulness",
        "is_overdue",
        "is_escalated",
        "is_supervised",
        "is_repeat",
        "is_key_customer",
        "needs_supervisor_decision",
        "unit",
        "department",
        TopCategoryFilter,
    ]
    search_fields = [
        "^tracking_no",
        "=customer__account_no",
        "=customer__phone",
        "=complaint__phone",
        "complaint__customer_name",
    ]
    list_select_related = ["category", "unit", "department", "assignee"]
    date_hierarchy = "received_at"
    show_full_result_count = False  # a count over a million orders on every page is not worth it
    list_per_page = 50
    actions = [_lifecycle_admin_action(code) for code in ADMIN_LIFECYCLE_ACTIONS]
    inlines = [EventInline, AssignmentInline, ExtensionRequestInline, AttachmentInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "tracking_no",
                    "complaint_link",
                    "status",
                    "version",
                    "level",
                    "category",
                    "channel",
                    "received_at",
                    "received_by",
                    "unit",
                    "department",
                    "assignee",
                ]
            },
        ),
        (_("Customer"), {"fields": ["customer", "complaint_content", "complaint_demand"]}),
        (
            _("Flags"),
            {
                "fields": [
                    "is_overdue",
                    "is_escalated",
                    "is_supervised",
                    "is_repeat",
                    "repeat_of",
                    "related_to",
                    "merged_into",
                    "needs_supervisor_decision",
                    *EDITABLE_ORDER_FIELDS,
                ]
            },
        ),
        (
            _("Counters"),
            {
                "fields": [
                    "urge_count",
                    "return_count",
                    "reject_count",
                    "reopen_count",
                    "callback_attempts",
                    "extension_hours",
                    "extended_until",
                ]
            },
        ),
        (
            _("Handling result"),
            {
                "fields": [
                    "contact_method",
                    "cause",
                    "truthfulness",
                    "measures",
                    "reply",
                    "responsible_department",
                    "responsible_person",
                ]
            },
        ),
        (
            _("Callback and closure"),
            {"fields": ["outcome", "satisfaction", "dissatisfaction_reason", "callback_comment"]},
        ),
        (
            _("Milestones"),
            {
                "fields": [
                    "classified_at",
                    "dispatched_at",
                    "accepted_at",
                    "first_contact_at",
                    "replied_at",
                    "approved_at",
                    "closed_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "complaint",
                "customer",
                "category",
                "unit",
                "department",
                "assignee",
                "received_by",
                "repeat_of",
                "related_to",
                "merged_into",
                "responsible_department",
            )
        )

    def get_readonly_fields(self, request, obj=None):
        """Everything but a few risk flags: the state and what the lifecycle records are never typed in."""
        shown = [name for _title, opts in self.fieldsets for name in opts["fields"]]
        return [name for name in shown if name not in EDITABLE_ORDER_FIELDS]

    def save_model(self, request, obj, form, change):
        """Write only the flags edited here, never the lifecycle's columns (no lost update of a concurrent action)."""
        fields = [name for name in form.changed_data if name in EDITABLE_ORDER_FIELDS]
        if fields:
            obj.save(update_fields=[*fields, "updated_at"])

    def has_add_permission(self, request):
        return False  # orders are opened by the intake service

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail protects every order

    @admin.display(description=_("complaint"))
    def complaint_link(self, obj):
        from django.urls import reverse

        url = reverse("admin:complaints_complaint_change", args=[obj.complaint_id])
        return format_html('<a href="{}">{}</a>', url, obj.complaint)

    @admin.display(description=_("complaint content"))
    def complaint_content(self, obj):
        return obj.complaint.content

    @admin.display(description=_("customer's demand"))
    def complaint_demand(self, obj):
        return obj.complaint.demand


@admin.register(WorkOrderEvent)
class WorkOrderEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: append-only, so nobody may add, change or delete an event here."""

    list_display = ["created_at", "order", "action", "from_status", "to_status", "actor", "version"]
    list_filter = ["action", "to_status"]
    search_fields = ["^order__tracking_no"]
    list_select_related = ["order", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ["order", "action", "from_status", "to_status", "actor", "version", "created_at", "details"]
    readonly_fields = fields

    @admin.display(description=_("details"))
    def details(self, obj):
        return _pretty_json(obj.payload)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Routing history (also the handlers' scope); written by assign and return, so read-only."""

    list_display = ["order", "department", "assigned_by", "assigned_at", "returned_at"]
    list_filter = ["department", ("returned_at", admin.EmptyFieldListFilter)]
    search_fields = ["^order__tracking_no"]
    list_select_related = ["order", "department", "assigned_by"]
    date_hierarchy = "assigned_at"
    show_full_result_count = False
    fields = ["order", "department", "assigned_by", "assigned_at", "returned_at", "return_reason"]
    readonly_fields = fields


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Requests are filed and decided through the lifecycle (request_extension, decide_extension)."""

    list_display = [
        "order",
        "requested_by",
        "requested_due_at",
        "state",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    list_filter = ["state"]
    search_fields = ["^order__tracking_no"]
    list_select_related = ["order", "requested_by", "decided_by"]
    date_hierarchy = "created_at"
    fields = [
        "order",
        "requested_by",
        "requested_due_at",
        "reason",
        "basis",
        "state",
        "decided_by",
        "decided_at",
        "decision_comment",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Evidence files: added through the ``attach`` action; only the comment may be corrected here."""

    list_display = ["original_name", "order", "size", "content_type", "uploaded_by", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["^order__tracking_no", "original_name"]
    list_select_related = ["order", "uploaded_by"]
    date_hierarchy = "created_at"
    fields = [
        "order",
        "file",
        "original_name",
        "content_type",
        "size",
        "comment",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = ["order", "file", "original_name", "content_type", "size", "uploaded_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
