"""Admin for customers, the category tree, complaints and stored idempotency answers.

Complaints are created only by the intake service (``complaint_register``), which also opens the
work order, so the admin offers no "add" for them; it is for looking things up and correcting
what the agent typed. The work-order app registers these customer and complaint admins again with
the columns about their orders (a customer's order count, a complaint's order status and link).
"""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin_mixins import ReadOnlyAdminMixin

from .models import Category, Complaint, Customer, IdempotencyKey, PublicRequest


class TopCategoryFilter(admin.SimpleListFilter):
    """Filter by first-level category (服务, 营业, 停送电, 供电质量, 电网建设) via the code prefix."""

    title = _("category (first level)")
    parameter_name = "l1"
    field = "category__code"

    def lookups(self, request, model_admin):
        return [(c.code, str(c)) for c in Category.objects.filter(level=1).order_by("code")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.field}__startswith": self.value()})
        return queryset


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "name_en", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["level"]
    ordering = ["code"]  # codes are hierarchical, so code order is tree order
    list_per_page = 200

    @admin.display(description=_("name"), ordering="code")
    def indented_name(self, obj):
        return "— " * (obj.level - 1) + obj.name


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "account_no",
        "phone",
        "supply_unit",
        "is_key_customer",
        "is_sensitive",
        "created_at",
    ]
    list_filter = ["supply_unit", "is_key_customer", "is_sensitive"]
    search_fields = ["=account_no", "=phone", "=alt_phone", "name", "address"]
    list_select_related = ["supply_unit"]
    autocomplete_fields = ["supply_unit"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = [
        "tracking_no",
        "received_at",
        "channel",
        "customer_name",
        "phone",
        "account_no",
        "category",
    ]
    list_filter = ["channel", TopCategoryFilter, "is_anonymous", "upgrade_tendency"]
    search_fields = ["^tracking_no", "=phone", "=account_no", "=customer__account_no", "customer_name"]
    list_select_related = ["category"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    # The category and the customer link are the work order's business (classify, intake): read-only here.
    readonly_fields = [
        "tracking_no",
        "channel",
        "customer",
        "account_no",
        "category",
        "received_at",
        "created_by",
        "created_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "tracking_no",
                    "channel",
                    "external_ref",
                    "received_at",
                    "created_by",
                    "created_at",
                ]
            },
        ),
        (_("Complainant"), {"fields": ["customer", "customer_name", "phone", "account_no", "address"]}),
        (_("Complaint"), {"fields": ["category", "content", "demand", "event_time"]}),
        (_("Flags"), {"fields": ["is_anonymous", "is_confidential", "upgrade_tendency"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "category", "created_by")

    def save_model(self, request, obj, form, change):
        fields = [name for name in form.changed_data if name not in self.readonly_fields]
        if fields:
            obj.save(update_fields=fields)

    def has_add_permission(self, request):
        return False  # complaints come in through the intake service, which opens the work order

    def has_delete_permission(self, request, obj=None):
        return False  # the work order protects it; history is never deleted


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Stored first answers to retried requests: evidence, so read-only."""

    list_display = ["key", "user", "response_status", "created_at"]
    list_filter = ["response_status"]
    search_fields = ["=key", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = ["user", "key", "request_hash", "response_status", "body", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("response body"))
    def body(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.response_body, ensure_ascii=False, indent=2))


# The knowledge base's admin (issue 16) lives with its models in complaints/knowledge/.
@admin.register(PublicRequest)
class PublicRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What each public surface answered (issue 15): for abuse review; read-only."""

    list_display = ("created_at", "kind", "outcome", "ip", "tracking_no", "phone_suffix", "order")
    list_filter = ("kind", "outcome")
    search_fields = ("tracking_no", "ip")
    date_hierarchy = "created_at"
    list_select_related = ("order",)
    raw_id_fields = ("order",)


from .knowledge import admin as knowledge_admin  # noqa: E402, F401
