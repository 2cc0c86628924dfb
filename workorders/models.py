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
    NOT_ESTABLISHED = "not_established", _("Not established")
    MERGED = "merged", _("Merged")
    UNREACHABLE = "unreachable", _("Customer unreachable")
    SERVICE_TERMINATED = "service_terminated", _("Service terminated")


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
    return_count = models.PositiveIntegerField(_("returns"), default=0)
    reject_count = models.PositiveIntegerField(_("rejections"), default=0)
    reopen_count = models.PositiveIntegerField(_("reopens"), default=0)
    callback_attempts = models.PositiveIntegerField(_("callback attempts"), default=0)

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
        ]

    def __str__(self):
        return self.tracking_no or f"#{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_status = instance.__dict__.get("status")
        return instance

    def save(self, *args, **kwargs):
        saved = getattr(self, "_saved_status", None)
        if saved is not None and saved != self.status and not getattr(self, "_in_transition", False):
            raise ValueError("Direct status changes are not allowed; use workorders.lifecycle.perform().")
        super().save(*args, **kwargs)
        self._saved_status = self.status

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
    """Every department an order was routed to: the history, and the handler's scope."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["department", "order"], name="assignment_dept_order")]


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


# --- Deadlines: SLA policies, the work calendar and the deadline rows (issue 5) ----------------------


class LimitUnit(models.TextChoices):
    """How a limit is counted (domain.md §3 conventions and §4)."""

    MINUTES = "minutes", _("calendar minutes")
    HOURS = "hours", _("calendar hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days (to the end of the Nth day after receipt)")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days (to the end of the Nth working day after receipt)")


class Stage(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch")
    CONTACT = "contact", _("First contact")
    REPLY = "reply", _("Handle and reply")
    REVIEW = "review", _("Reply review")
    CALLBACK = "callback", _("Callback")
    OVERALL = "overall", _("Overall (to closure)")
    REGULATORY = "regulatory", _("Regulatory ceiling")


# The stages an SLA policy sets a limit for, in the order they happen.
POLICY_STAGES = [
    Stage.DISPATCH,
    Stage.CONTACT,
    Stage.REPLY,
    Stage.REVIEW,
    Stage.CALLBACK,
    Stage.OVERALL,
    Stage.REGULATORY,
]


def _limit_fields(value_label, unit_label, default_unit):
    value = models.PositiveIntegerField(
        value_label,
        null=True,
        blank=True,
        help_text=_("Empty: this stage is not tracked."),
    )
    unit = models.CharField(unit_label, max_length=16, choices=LimitUnit.choices, default=default_unit)
    return value, unit


class SlaPolicy(models.Model):
    """Limits per stage for orders of one level (optionally one category subtree and one channel).

    The most specific active policy wins: a category match beats none (a deeper category beats a
    shallower one), then a channel match beats none. The limits that applied are copied onto the
    order when it is classified (``OrderSla``), so editing a policy never moves existing deadlines.
    """

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Applies to this category and everything below it; empty means any."),
    )
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty means any channel."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    warn_share = models.DecimalField(
        _("reminder at share of the time"),
        max_digits=3,
        decimal_places=2,
        default=0.75,
        help_text=_("0.75 sends the reminder when three quarters of the time has passed."),
    )
    dispatch_limit, dispatch_unit = _limit_fields(_("dispatch limit"), _("dispatch unit"), LimitUnit.MINUTES)
    contact_limit, contact_unit = _limit_fields(
        _("first-contact limit"), _("first-contact unit"), LimitUnit.HOURS
    )
    reply_limit, reply_unit = _limit_fields(_("reply limit"), _("reply unit"), LimitUnit.WORKING_DAYS)
    review_limit, review_unit = _limit_fields(_("review limit"), _("review unit"), LimitUnit.WORKING_HOURS)
    callback_limit, callback_unit = _limit_fields(
        _("callback limit"), _("callback unit"), LimitUnit.WORKING_DAYS
    )
    overall_limit, overall_unit = _limit_fields(_("overall limit"), _("overall unit"), LimitUnit.WORKING_DAYS)
    regulatory_limit, regulatory_unit = _limit_fields(
        _("regulatory ceiling"), _("regulatory ceiling unit"), LimitUnit.WORKING_DAYS
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["level", "category__code", "channel", "pk"]

    def __str__(self):
        return self.name

    def limits(self) -> dict:
        """{stage: {"value": n, "unit": u}} for every tracked stage, plus the reminder share."""
        result = {}
        for stage in POLICY_STAGES:
            value = getattr(self, f"{stage}_limit")
            if value:
                result[str(stage)] = {"value": value, "unit": getattr(self, f"{stage}_unit")}
        return result


class ChannelLimit(models.Model):
    """An external channel's own completion limit (domain.md §3.2); the earlier deadline wins."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, unique=True)
    limit = models.PositiveIntegerField(_("limit"))
    unit = models.CharField(
        _("unit"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("channel limit")
        verbose_name_plural = _("channel limits")
        ordering = ["channel"]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.limit} {self.get_unit_display()}"


class CalendarData(models.Model):
    """Calendar tables: any change drops the cached working-day calendar."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _calendar_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _calendar_changed()
        return result


class WorkCalendarYear(CalendarData):
    """A year whose holidays and adjusted working days (调休) are known.

    A year not listed here (and unknown to the ``chinesecalendar`` package) is computed on plain
    weekdays, and the deadlines that needed it are flagged provisional.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=40, default="admin")
    source_url = models.URLField(_("source URL"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("work-calendar year")
        verbose_name_plural = _("work-calendar years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class WorkCalendarDay(CalendarData):
    """A day that differs from the Monday–Friday rule: a holiday on a weekday, or a working weekend."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=40, default="admin")
    source_url = models.URLField(_("source URL"), blank=True)

    class Meta:
        verbose_name = _("work-calendar day")
        verbose_name_plural = _("work-calendar days")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class WorkingPeriod(CalendarData):
    """Office hours on every working day (e.g. 08:30–12:00 and 13:30–17:30)."""

    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working hours")
        ordering = ["start"]

    def __str__(self):
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def _calendar_changed():
    from .workcalendar import invalidate_calendar

    invalidate_calendar()


class OrderSla(models.Model):
    """The SLA limits frozen on an order when it was classified (or its level changed)."""

    order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    limits = models.JSONField(_("limits"), default=dict)
    channel_limit = models.JSONField(_("channel limit"), null=True, blank=True)
    warn_share = models.FloatField(_("reminder share"), default=0.75)
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    level_up_pending = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("frozen SLA")
        verbose_name_plural = _("frozen SLAs")


class Deadline(models.Model):
    """One deadline of one order: a stage's due time, its reminder, breach and escalation steps.

    ``next_at`` is when the sweep must look at the row again (reminder, breach, breach alert or
    the next escalation); it is NULL once nothing is pending, so the sweep's partial index holds only
    the rows that can still do something, and its cost grows with the rows that are due.
    """

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="deadlines")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    cycle = models.PositiveSmallIntegerField(
        _("cycle"), default=0, help_text=_("0, then 1 after a reopen, …")
    )
    started_at = models.DateTimeField(_("clock started"))
    limit_value = models.PositiveIntegerField(_("limit"))
    limit_unit = models.CharField(_("unit"), max_length=16, choices=LimitUnit.choices)
    basis = models.CharField(
        _("basis"),
        max_length=24,
        default="policy",
        help_text=_("policy, channel (an external limit was earlier), reopen, extension"),
    )
    original_due_at = models.DateTimeField(_("first due time"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("reminder at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    breach_notified_at = models.DateTimeField(_("breach alert sent"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    held_since = models.DateTimeField(
        _("paused since"),
        null=True,
        blank=True,
        help_text=_("An extension request is waiting for a decision."),
    )
    paused_seconds = models.PositiveIntegerField(_("paused (seconds)"), default=0)
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("Computed on plain weekdays because the work calendar lacks a year it needed."),
    )
    next_at = models.DateTimeField(_("next check"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["order", "started_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_at"], condition=models.Q(next_at__isnull=False), name="deadline_next_open"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "stage"],
                condition=models.Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="one_open_deadline_per_stage",
            ),
        ]

    def __str__(self):
        return f"{self.order_id} {self.stage} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


# --- Statistics (issue 7): aggregates, reports, exports ------------------------------------------

# Handling-time histogram bucket upper edges, in hours; the last bucket is open-ended. The 90th
# percentile is read from this histogram (interpolated inside its bucket).
HANDLING_BUCKET_EDGES = (1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 360, 720)
HANDLING_BUCKETS = len(HANDLING_BUCKET_EDGES) + 1
# Stages whose deadlines the per-stage on-time rate measures, and what completes each.
STAT_STAGES = ("dispatch", "contact", "reply", "review", "callback")

# The additive measures of one order (see workorders.reporting.order_measures).
DAILY_MEASURES = (
    "received",
    "open",
    "overdue_open",
    "closed",
    "handled",
    "handled_late",
    "handling_seconds",
    *(f"hb_{i}" for i in range(HANDLING_BUCKETS)),
    "replied",
    "truthful",
    "evaluated",
    "satisfied",
    # Counts per truthfulness and satisfaction value (pivot columns without multiplying the rows).
    *(f"truth_{v}" for v in Truthfulness.values),
    *(f"sat_{v}" for v in Satisfaction.values),
    "repeat",
    "urged",
    "returned",
    "rejected",
    "reopened",
    "merged",
    "dismissed",
    "breached",
    *(f"done_{s}" for s in STAT_STAGES),
    *(f"late_{s}" for s in STAT_STAGES),
)


class StatsDaily(models.Model):
    """Daily aggregate: the orders received on ``day`` (Asia/Shanghai) with these dimensions.

    One row per combination of day, unit, department, category, channel and level; every measure is the sum over those orders of their current figures. The
    transition hook keeps it up to date (moving an order's contribution when its dimensions
    change); ``stats_rebuild`` recomputes it. The dashboard reads only this table and StatsOpen.
    """

    day = models.DateField()
    unit_id = models.IntegerField()
    department_id = models.IntegerField(default=0)  # 0: not dispatched
    category_id = models.IntegerField(default=0)  # 0: not classified
    channel = models.CharField(max_length=20)
    level = models.CharField(max_length=12)
    for _name in DAILY_MEASURES:
        locals()[_name] = (
            models.BigIntegerField(default=0)
            if _name == "handling_seconds"
            else models.IntegerField(default=0)
        )
    del _name

    class Meta:
        verbose_name = _("daily statistics row")
        verbose_name_plural = _("daily statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit_id", "department_id", "category_id", "channel", "level"],
                name="stats_daily_key",
            )
        ]
        indexes = [
            models.Index(fields=["unit_id", "day"], name="stats_daily_unit_day"),
            models.Index(fields=["department_id", "day"], name="stats_daily_dept_day"),
        ]


class StatsUnitDaily(models.Model):
    """The same measures rolled up to (day, unit, department): what the dashboard reads when no
    category, channel or level filter is set (a few rows per day instead of hundreds)."""

    day = models.DateField()
    unit_id = models.IntegerField()
    department_id = models.IntegerField(default=0)
    for _name in DAILY_MEASURES:
        locals()[_name] = (
            models.BigIntegerField(default=0)
            if _name == "handling_seconds"
            else models.IntegerField(default=0)
        )
    del _name

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "unit_id", "department_id"], name="stats_unit_daily_key")
        ]


class StatsOpen(models.Model):
    """Open orders now, by stage and dimensions (with how many of them are overdue)."""

    unit_id = models.IntegerField()
    department_id = models.IntegerField(default=0)
    category_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=20)
    level = models.CharField(max_length=12)
    status = models.CharField(max_length=16)
    count = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "department_id", "category_id", "channel", "level", "status"],
                name="stats_open_key",
            )
        ]


class StatsOrderFacts(models.Model):
    """What one order contributes to the aggregates now, so a change can be applied as a delta."""

    order = models.OneToOneField(WorkOrder, primary_key=True, on_delete=models.CASCADE, related_name="+")
    daily_key = models.JSONField(default=list)
    open_key = models.JSONField(default=list, blank=True)  # empty when closed
    overdue_open = models.BooleanField(default=False)
    breached_stages = models.JSONField(default=list, blank=True)
    measures = models.JSONField(default=dict)


class Report(models.Model):
    """A generated daily statistics sheet, weekly bulletin or monthly supervision report."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily statistics")
        WEEKLY = "weekly", _("Weekly bulletin")
        MONTHLY = "monthly", _("Monthly supervision report")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))  # inclusive
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    data = models.JSONField(_("figures"), default=dict, encoder=DjangoJSONEncoder)
    file = models.FileField(_("XLSX file"), upload_to="reports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("generated at"), default=timezone.now)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "department"], name="report_once_per_period"
            )
        ]

    def __str__(self):
        return self.title


class ReportSubscription(models.Model):
    """Who receives which scheduled report by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Report.Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="report_subscription_once")]


class ExportState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """An Excel export of a filtered work-order list, built by a background task."""

    State = ExportState

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(_("rows to write"), default=0)
    written = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    @property
    def progress(self) -> int:
        if self.status == self.State.DONE:
            return 100
        return int(self.written * 100 / self.total) if self.total else 0
