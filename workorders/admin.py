"""Admin for work orders and their records.

The admin never writes an order's state: ``status`` and every field the lifecycle owns are
read-only here, and the admin actions call ``workorders.lifecycle.perform`` as the signed-in user,
exactly like the API and the pages, so roles, scope, state rules, the audit event and the
transition hooks all apply. Events are append-only and shown read-only.
"""

import json

from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints import admin as complaints_admin
from complaints.admin import TopCategoryFilter
from complaints.models import Complaint, Customer
from config.admin_mixins import ReadOnlyAdminMixin
from config.errors import DomainError

from .deadlines import admin as deadlines_admin  # noqa: F401 (registers the deadline models)
from .lifecycle import ACTIONS, perform
from .models import Assignment, Attachment, ExtensionRequest, WorkOrder, WorkOrderEvent
from .services import RISK_FLAGS, workorder_flags_set

# Fields an administrator may correct by hand: risk flags that no lifecycle action owns.
EDITABLE_ORDER_FIELDS = RISK_FLAGS

# Lifecycle actions that need no input beyond an optional comment, offered as admin actions.
ADMIN_LIFECYCLE_ACTIONS = ("submit", "accept", "approve", "urge", "escalate")


def _pretty_json(value):
    # A class, not a style attribute: the Content-Security-Policy allows none (static/css/admin.css).
    return format_html('<pre class="admin-json">{}</pre>', json.dumps(value, ensure_ascii=False, indent=1))


class JsonDetailsMedia:
    css = {"all": ["css/admin.css"]}


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
    Media = JsonDetailsMedia

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


@admin.display(description=_("file"))
def attachment_link(attachment):
    """The file through the scope-checked download (files have no public URL)."""
    if not attachment.pk:
        return "-"
    url = reverse("workorders:attachment-download", args=[attachment.pk])
    return format_html('<a href="{}">{}</a>', url, attachment.original_name)


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["created_at", "original_name", attachment_link, "size", "comment", "uploaded_by"]
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
                modeladmin.message_user(request, f"{order}: {_refusal_text(exc)}", messages.ERROR)
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


def _refusal_text(exc: DomainError) -> str:
    """The refusal's message; for invalid input, every field's messages ("field: message; …")."""
    if not exc.fields_only:
        return str(exc.message)
    return "; ".join(
        f"{k}: {' '.join(map(str, v if isinstance(v, (list, tuple)) else [v]))}"
        for k, v in exc.fields.items()
    )


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
            {
                "fields": [
                    "outcome",
                    "satisfaction",
                    "first_satisfaction",
                    "dissatisfaction_reason",
                    "callback_comment",
                ]
            },
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
        """Write only the flags edited here, with their event (never the lifecycle's columns)."""
        flags = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_ORDER_FIELDS}
        if flags:
            workorder_flags_set(order_id=obj.pk, actor=request.user, flags=flags)

    def has_add_permission(self, request):
        return False  # orders are opened by the intake service

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail protects every order

    @admin.display(description=_("complaint"))
    def complaint_link(self, obj):
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
    Media = JsonDetailsMedia

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
        attachment_link,
        "original_name",
        "content_type",
        "size",
        "comment",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = [
        "order",
        attachment_link,
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- the complaints app's customer and complaint admins, with the columns about their orders ------

admin.site.unregister(Customer)
admin.site.unregister(Complaint)


@admin.register(Customer)
class CustomerAdmin(complaints_admin.CustomerAdmin):
    list_display = [
        *(name for name in complaints_admin.CustomerAdmin.list_display if name != "created_at"),
        "order_count",
        "created_at",
    ]

    def get_queryset(self, request):
        # a correlated count, evaluated only for the rows on the page (no GROUP BY over every order)
        orders = WorkOrder.objects.filter(customer=OuterRef("pk")).order_by().values("customer")
        count = orders.annotate(n=Count("*")).values("n")
        return (
            super()
            .get_queryset(request)
            .annotate(_order_count=Coalesce(Subquery(count, output_field=IntegerField()), 0))
        )

    @admin.display(description=_("orders"), ordering="_order_count")
    def order_count(self, obj):
        return obj._order_count


def _with_order_link(fieldsets):
    """The complaint's first fieldset with the order link after the tracking number."""
    (title, options), *rest = fieldsets
    first, *others = options["fields"]
    return [(title, {**options, "fields": [first, "order_link", *others]}), *rest]


@admin.register(Complaint)
class ComplaintAdmin(complaints_admin.ComplaintAdmin):
    list_display = [*complaints_admin.ComplaintAdmin.list_display, "order_status"]
    list_select_related = [*complaints_admin.ComplaintAdmin.list_select_related, "workorder"]
    readonly_fields = [*complaints_admin.ComplaintAdmin.readonly_fields, "order_link"]
    fieldsets = _with_order_link(complaints_admin.ComplaintAdmin.fieldsets)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("workorder")

    @admin.display(description=_("order status"), ordering="workorder__status")
    def order_status(self, obj):
        order = getattr(obj, "workorder", None)
        return order.get_status_display() if order else "—"

    @admin.display(description=_("work order"))
    def order_link(self, obj):
        order = getattr(obj, "workorder", None)
        if order is None:
            return "—"
        url = reverse("admin:workorders_workorder_change", args=[order.pk])
        return format_html('<a href="{}">{} ({})</a>', url, order, order.get_status_display())


from .outages import admin as _outages_admin  # noqa: E402, F401  (registers the outage admin)
from .quality import admin as _quality_admin  # noqa: E402, F401  (registers the quality admin)
