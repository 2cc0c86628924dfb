"""The work: the order, its audit trail, assignments, extension requests and attachments.

The order's ``status`` is changed in exactly one place, ``workorders.lifecycle.perform``; the
model refuses a direct save of a changed status.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Channel


class Status(models.TextChoices):
    INTAKE = "intake", _("Intake")
    CLASSIFICATION = "classification", _("Classification")
    ASSIGNMENT = "assignment", _("Assignment")
    PROCESSING = "processing", _("Processing")
    REVIEW = "review", _("Review")
    CALLBACK = "callback", _("Callback")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]


class Level(models.TextChoices):
    """Complaint levels, most serious first (domain.md §5.1)."""

    SPECIAL = "special", _("Special")
    MAJOR = "major", _("Major")
    IMPORTANT = "important", _("Important")
    GENERAL = "general", _("General")


LEVEL_RANK = {Level.GENERAL: 0, Level.IMPORTANT: 1, Level.MAJOR: 2, Level.SPECIAL: 3}


def level_up(level: str) -> str:
    order = sorted(LEVEL_RANK, key=LEVEL_RANK.get)
    return order[min(LEVEL_RANK[level] + 1, len(order) - 1)]


def at_least(level: str, minimum: str) -> str:
    return level if LEVEL_RANK[level] >= LEVEL_RANK[minimum] else minimum


class Truthfulness(models.TextChoices):
    TRUE = "true", _("True")
    PARTLY_TRUE = "partly_true", _("Partly true")
    NOT_TRUE = "not_true", _("Not true")
    UNVERIFIABLE = "unverifiable", _("Unverifiable")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
    NOT_RATED = "not_rated", _("Not rated")


# What an agent may record when the customer was reached (not_rated is for unreachable).
CALLBACK_SATISFACTION_CHOICES = [c for c in Satisfaction.choices if c[0] != Satisfaction.NOT_RATED]


class DissatisfactionReason(models.TextChoices):
    PROCESS_NOT_DONE = "process_not_done", _("The problem was not dealt with")
    ATTITUDE = "attitude", _("Staff attitude")
    RESULT_NOT_ACCEPTED_POLICY = "result_not_accepted_policy", _("Does not accept the result under policy")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    # A policy dispute the supervisor closed after the callback: the customer was given the
    # explanation, the demand is not supported (解释说明), which is not "resolved".
    EXPLAINED = "explained", _("Explained, not supported")
    NOT_ESTABLISHED = "not_established", _("Not established")
    MERGED = "merged", _("Merged")
    UNREACHABLE = "unreachable", _("Customer unreachable")
    SERVICE_TERMINATED = "service_terminated", _("Service terminated")


# Closed without a department handling it: merged into another order, or dismissed as not
# established. Such an order is not reopened and counts no handling time against a department.
UNHANDLED_OUTCOMES = frozenset({Outcome.MERGED, Outcome.NOT_ESTABLISHED})

# 12398 / 12345: orders from these platforms owe the platform a reply of their own (issue 16).
PLATFORM_CHANNELS = (Channel.REGULATOR_12398, Channel.GOV_12345)


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")


class WorkOrder(models.Model):
    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="workorder",
    )
    # Copied from the complaint so that lists filter and sort on one table.
    tracking_no = models.CharField(_("tracking number"), max_length=20, unique=True, null=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    customer = models.ForeignKey(
        "complaints.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="workorders",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.INTAKE)
    version = models.PositiveIntegerField(_("version"), default=1)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.GENERAL)
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workorders",
    )
    unit = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="unit_workorders",
        help_text=_("The company or supply unit the complaint belongs to."),
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workorders",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_workorders",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Flags
    is_overdue = models.BooleanField(_("overdue"), default=False)
    is_escalated = models.BooleanField(_("escalated"), default=False)
    is_supervised = models.BooleanField(_("under supervision (督办)"), default=False)
    is_repeat = models.BooleanField(_("repeat complaint"), default=False)
    is_key_customer = models.BooleanField(_("key customer"), default=False)
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    upgrade_tendency = models.BooleanField(_("upgrade tendency"), default=False)
    needs_supervisor_decision = models.BooleanField(_("awaiting supervisor decision"), default=False)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    related_to = models.ForeignKey(
        "self",
        verbose_name=_("related order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )

    # Counters
    urge_count = models.PositiveIntegerField(_("urges"), default=0)
    # 催办 issued by the centre to the handling department (issue 16), apart from the customer's.
    internal_urge_count = models.PositiveIntegerField(_("centre urges"), default=0)
    return_count = models.PositiveIntegerField(_("returns"), default=0)
    reject_count = models.PositiveIntegerField(_("rejections"), default=0)
    reopen_count = models.PositiveIntegerField(_("reopens"), default=0)
    callback_attempts = models.PositiveIntegerField(_("callback attempts"), default=0)
    suspend_count = models.PositiveIntegerField(_("suspensions"), default=0)

    # Handling result (reply)
    cause = models.TextField(_("cause"), blank=True)
    truthfulness = models.CharField(
        _("truthfulness"), max_length=16, choices=Truthfulness.choices, blank=True
    )
    measures = models.TextField(_("measures"), blank=True)
    reply = models.TextField(_("reply to customer"), blank=True)
    responsible_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=60, blank=True)
    contact_method = models.CharField(
        _("contact method"), max_length=8, choices=ContactMethod.choices, blank=True
    )

    # Callback and closure
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    # The rating of the first callback that reached the customer, kept when a later callback (after
    # a reopen) overwrites ``satisfaction``: the first-callback satisfaction rate reads it.
    first_satisfaction = models.CharField(
        _("first-callback satisfaction"),
        max_length=20,
        choices=Satisfaction.choices,
        blank=True,
        help_text=_("The rating given at the first callback that reached the customer."),
    )
    dissatisfaction_reason = models.CharField(
        _("dissatisfaction reason"),
        max_length=32,
        choices=DissatisfactionReason.choices,
        blank=True,
    )
    callback_comment = models.TextField(_("callback note"), blank=True)

    # Milestones
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    extended_until = models.DateTimeField(
        _("extended until"),
        null=True,
        blank=True,
        help_text=_("The reply deadline granted by the last approved extension request."),
    )
    extension_hours = models.PositiveIntegerField(_("extension granted (hours)"), default=0)
    # The earliest running deadline (open, its clock not held) and when its clock started, kept by
    # the deadline effects (``deadlines.engine.sync_next_due``) so that a queue sorts on a column
    # (issue 12): the "due soonest" order of the queues and the time left of the list rows.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)
    next_started_at = models.DateTimeField(
        _("next due's clock started"), null=True, blank=True, editable=False
    )
    # 12398 / 12345 (issue 16): the reply sent back to the platform (its own deadline stage,
    # ``platform``) and the platform's evaluation of it.
    platform_replied_at = models.DateTimeField(_("replied to the platform at"), null=True, blank=True)
    platform_evaluation = models.CharField(
        _("platform's evaluation"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    # 挂起 (issue 16): the handler asks (``suspend_requested_at``), a supervisor approves
    # (``suspended_at``: every clock stops), ``resume`` starts them again, moved by the time stopped.
    suspend_requested_at = models.DateTimeField(_("suspension requested at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended since"), null=True, blank=True)
    suspended_until = models.DateTimeField(
        _("suspended until (expected)"),
        null=True,
        blank=True,
        help_text=_("When the handler expects to resume (a court date, a third party's answer)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["status", "-received_at", "-id"], name="wo_status_received"),
            models.Index(fields=["department", "status", "-received_at"], name="wo_dept_status"),
            models.Index(fields=["unit", "-received_at", "-id"], name="wo_unit_received"),
            models.Index(fields=["-received_at", "-id"], name="wo_received"),
            models.Index(fields=["customer", "-received_at"], name="wo_customer"),
            # The queues list due soonest first within one department and status (or one status).
            models.Index(fields=["department", "status", "next_due_at", "id"], name="wo_dept_status_due"),
            models.Index(fields=["status", "next_due_at", "id"], name="wo_status_due"),
        ]

    def __str__(self):
        return self.tracking_no or f"#{self.pk}"

    def save(self, *args, **kwargs):
        saved = getattr(self, "_saved_status", None)
        if saved is not None and saved != self.status and not getattr(self, "_in_transition", False):
            raise ValueError("Direct status changes are not allowed; use workorders.lifecycle.perform().")
        super().save(*args, **kwargs)
        self._saved_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_status = instance.__dict__.get("status")
        return instance

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class WorkOrderEvent(models.Model):
    """One row per action on an order, append-only. The order's timeline is this list."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=32, db_index=True)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty means the system."),
    )
    payload = models.JSONField(_("details"), default=dict, encoder=DjangoJSONEncoder, blank=True)
    version = models.PositiveIntegerField(_("order version after"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("work-order event")
        verbose_name_plural = _("work-order events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.order_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Work-order events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Work-order events are append-only.")


class Assignment(models.Model):
    """Every department an order was routed to: the history, and the handler's scope. The lead
    department (主办) handles and replies; an assisting one (协办) gives its part (``AssistRequest``)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead (主办)")
        ASSIST = "assist", _("Assisting (协办)")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.LEAD)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["department", "order"], name="assignment_dept_order")]

    def __str__(self):
        return f"{self.order_id} → {self.department_id} {self.assigned_at:%Y-%m-%d %H:%M}"


class AssistRequest(models.Model):
    """协办: an assisting department's part of a co-handled order (its opinion), due when the order's
    ``assist`` deadline is; the lead's reply waits until every part is in or waived."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUBMITTED = "submitted", _("Submitted")
        WAIVED = "waived", _("Waived")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="assists")
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("assisting department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("submitted or waived at"), null=True, blank=True)
    waive_reason = models.TextField(_("reason for waiving"), blank=True)

    class Meta:
        verbose_name = _("assisting part")
        verbose_name_plural = _("assisting parts")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "department"],
                condition=models.Q(state="pending"),
                name="one_pending_assist_per_department",
            )
        ]

    def __str__(self):
        return f"{self.order_id} 协办 {self.department_id} {self.state}"


class ExtensionRequest(models.Model):
    """延期申请: filed by the handler before the deadline, decided by a supervisor."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_due_at = models.DateTimeField(_("requested new due time"))
    reason = models.TextField(_("reason"))
    basis = models.TextField(_("basis"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(state="pending"),
                name="one_pending_extension_per_order",
            )
        ]

    def __str__(self):
        return f"{self.order_id} {self.state} {self.requested_due_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{instance.order_id}/{filename}"


class Attachment(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name
