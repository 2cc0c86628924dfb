"""Output shapes of work orders and their events (field names fixed by design.md)."""

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.models import mask_address, mask_phone
from config.representation import CompiledRepresentation

from .deadlines.reads import ROW_FIELDS, DeadlineRow, deadline_entry, deadlines_prefetch
from .lifecycle import available_actions
from .models import Attachment, Deadline, ExtensionRequest, WorkOrder, WorkOrderEvent
from .queues import late_stages_by_order, late_stages_of
from .selectors import contact_visible, handler_department_ids
from .stats.aggregates import LATE_ROW


def deadlines_with_lateness() -> Prefetch:
    """The order's deadline rows as ``deadlines.reads.deadlines_prefetch`` loads them, each also
    annotated ``is_late`` by ``stats.aggregates.LATE_ROW``."""
    prefetch = deadlines_prefetch()
    prefetch.queryset = prefetch.queryset.annotate(
        is_late=ExpressionWrapper(LATE_ROW, output_field=BooleanField())
    )
    return prefetch


def load_deadline_rows(orders: list) -> None:
    """Set ``order._deadline_rows`` of each order: its deadline rows as ``DeadlineRow`` values
    annotated ``is_late`` (``stats.aggregates.LATE_ROW``), in the order of ``deadlines_prefetch``;
    one query for all the orders."""
    by_id = {}
    for order in orders:
        order._deadline_rows = []
        by_id[order.pk] = order
    rows = (
        Deadline.objects.filter(order_id__in=list(by_id))
        .annotate(is_late=ExpressionWrapper(LATE_ROW, output_field=BooleanField()))
        .order_by("started_at", "pk")
        .values_list(*ROW_FIELDS, "is_late")
    )
    for values in rows:
        row = DeadlineRow(values)
        by_id[row.order_id]._deadline_rows.append(row)


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")

    @staticmethod
    def represent(instance) -> dict:  # the fields above, without DRF's walk (list pages)
        return {"id": instance.id, "name": str(instance)}

    def to_representation(self, instance):
        return self.represent(instance)


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")

    @staticmethod
    def represent(instance) -> dict:
        return {"id": instance.id, "code": instance.code, "name": instance.display_name}

    def to_representation(self, instance):
        return self.represent(instance)


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "size", "content_type", "comment", "url", "created_at"]

    def get_url(self, attachment) -> str:
        """The download through the scope check (``api-attachment-download``): files have no
        public URL."""
        url = reverse("api-attachment-download", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ExtensionRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "requested_due_at",
            "reason",
            "basis",
            "state",
            "decided_at",
            "decision_comment",
            "created_at",
        ]


class LateStagesSerializer(serializers.Serializer):
    """Stage codes (``Stage``: dispatch, contact, reply, review, callback, overall, regulatory,
    extension) in the order they happen."""

    overdue = serializers.ListField(
        child=serializers.CharField(),
        help_text="stages overdue now: a deadline row not done and found past its due time",
    )
    late = serializers.ListField(
        child=serializers.CharField(),
        help_text="stages done late: a deadline row met after its due time (or stopped once overdue)",
    )


class WorkOrderSerializer(CompiledRepresentation, serializers.ModelSerializer):
    """A work order as the caller may see it; phone and address masked where the rules say so.
    Read-only; its representation is compiled once per serializer (``config.representation``)."""

    category = CategoryRefSerializer(read_only=True, allow_null=True)
    department = RefSerializer(read_only=True, allow_null=True)
    unit = RefSerializer(read_only=True)
    assignee = RefSerializer(read_only=True, allow_null=True)
    customer_name = serializers.CharField(source="complaint.customer_name")
    phone = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    account_no = serializers.CharField(source="complaint.account_no")
    content = serializers.CharField(source="complaint.content")
    demand = serializers.CharField(source="complaint.demand")
    complaint = serializers.IntegerField(source="complaint_id")
    deadlines = serializers.SerializerMethodField()
    late_stages = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display")
    level_display = serializers.CharField(source="get_level_display")

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "tracking_no",
            "complaint",
            "status",
            "status_display",
            "level",
            "level_display",
            "channel",
            "category",
            "unit",
            "department",
            "assignee",
            "version",
            "received_at",
            "customer_name",
            "phone",
            "address",
            "account_no",
            "content",
            "demand",
            "is_overdue",
            "is_escalated",
            "is_supervised",
            "is_repeat",
            "repeat_of",
            "related_to",
            "merged_into",
            "is_key_customer",
            "is_sensitive",
            "upgrade_tendency",
            "needs_supervisor_decision",
            "urge_count",
            "return_count",
            "reject_count",
            "reopen_count",
            "callback_attempts",
            "cause",
            "truthfulness",
            "measures",
            "reply",
            "responsible_department",
            "responsible_person",
            "contact_method",
            "outcome",
            "satisfaction",
            "first_satisfaction",
            "dissatisfaction_reason",
            "callback_comment",
            "classified_at",
            "dispatched_at",
            "accepted_at",
            "first_contact_at",
            "replied_at",
            "approved_at",
            "closed_at",
            "extended_until",
            "extension_hours",
            "deadlines",
            "late_stages",
            "created_at",
            "updated_at",
        ]

    def _contact_ok(self, order):
        request = self.context.get("request")
        if request is None:
            return True
        cache = self.context.setdefault("_handler_depts", {})
        if "ids" not in cache:
            cache["ids"] = handler_department_ids(request.user)
        return contact_visible(request.user, order, handler_depts=cache["ids"])

    def get_phone(self, order) -> str:
        phone = order.complaint.phone
        return phone if self._contact_ok(order) else mask_phone(phone)

    def get_address(self, order) -> str:
        address = order.complaint.address
        return address if self._contact_ok(order) else mask_address(address)

    def _deadline_rows(self, order) -> list:
        """The order's deadline rows, annotated ``is_late``: rows prefetched by the caller as they
        are, else read as values (``DeadlineRow``), for a list page the rows of all its orders in
        one query, on the first call."""
        self.context.setdefault("_deadlines_now", timezone.now())
        prefetched = getattr(order, "_prefetched_objects_cache", {}).get("deadlines")
        if prefetched is not None:
            return list(prefetched)
        if getattr(order, "_deadline_rows", None) is None:
            page = (
                getattr(self.parent, "instance", None)
                if isinstance(self.parent, serializers.ListSerializer)
                else None
            )
            if page is None:  # one order (the detail): prefetched, as the rest of the detail reads them
                prefetch_related_objects([order], deadlines_with_lateness())
                return list(order.deadlines.all())
            targets = [
                o
                for o in (page if page is not None else [order])
                if getattr(o, "_deadline_rows", None) is None
                and "deadlines" not in getattr(o, "_prefetched_objects_cache", {})
            ]
            if order not in targets:
                targets.append(order)
            load_deadline_rows(targets)
        return order._deadline_rows

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_deadlines(self, order) -> list:
        """Each deadline: stage, due_at, warn_at, warned_at, breached_at, met_at, paused_seconds,
        seconds_left, state, … (workorders.deadlines.reads.deadline_entry)."""
        now = self.context.setdefault("_deadlines_now", timezone.now())
        return [deadline_entry(row, now) for row in self._deadline_rows(order)]

    @extend_schema_field(LateStagesSerializer)
    def get_late_stages(self, order) -> dict:
        """The stages late now (``overdue``) and done late (``late``), stage codes in their order;
        ``is_overdue`` stays the sticky flag (set when any deadline breached)."""
        rows = self._deadline_rows(order)
        if any(not hasattr(row, "is_late") for row in rows):  # prefetched elsewhere, without the flag
            return late_stages_by_order([order.pk]).get(order.pk) or late_stages_of([])
        return late_stages_of(row for row in rows if row.is_late)


class WorkOrderDetailSerializer(WorkOrderSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    extension_requests = ExtensionRequestSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(WorkOrderSerializer.Meta):
        fields = WorkOrderSerializer.Meta.fields + ["attachments", "extension_requests", "available_actions"]

    def get_available_actions(self, order) -> list[str]:
        # The order page hands in the actions it has already asked for (``offered``), not to ask twice.
        offered = self.context.get("offered")
        if offered is not None:
            return [a.code for a in offered]
        request = self.context.get("request")
        return [a.code for a in available_actions(order, request.user)] if request else []


class WorkOrderEventSerializer(serializers.ModelSerializer):
    actor = RefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = WorkOrderEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "payload", "version", "created_at"]
