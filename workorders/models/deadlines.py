"""Deadlines: SLA policies, channel limits, the work calendar, the frozen SLA and the deadline rows."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Channel

from .orders import Level, WorkOrder


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
    # A pending extension request waits for the supervisors' decision within the review limit.
    EXTENSION = "extension", _("Extension decision")
    # A 督办 waits for the handling department's answer by the due time its issuer set.
    SUPERVISION = "supervision", _("Supervision answer")
    # The assisting departments' parts of a co-handled order (协办), all due together.
    ASSIST = "assist", _("Assisting parts")
    # 12398 / 12345: the reply back to the platform, by the platform's own limit.
    PLATFORM = "platform", _("Reply to the platform")


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
# Stages a person or a channel starts (issue 16), limited by the policy too. Empty on a policy: the
# settings' default (``SUPERVISION_FEEDBACK_LIMIT``, ``ASSIST_LIMIT``), the platform's channel limit.
CENTRE_STAGES = [Stage.SUPERVISION, Stage.ASSIST, Stage.PLATFORM]


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
    supervision_limit, supervision_unit = _limit_fields(
        _("supervision answer limit"), _("supervision answer unit"), LimitUnit.WORKING_DAYS
    )
    assist_limit, assist_unit = _limit_fields(
        _("assisting parts limit"), _("assisting parts unit"), LimitUnit.WORKING_DAYS
    )
    platform_limit, platform_unit = _limit_fields(
        _("platform reply limit"), _("platform reply unit"), LimitUnit.WORKING_DAYS
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
        for stage in (*POLICY_STAGES, *CENTRE_STAGES):
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
    """Calendar tables: any saved or deleted row drops the cached working-day calendar (the
    receivers are connected in ``WorkordersConfig.ready``)."""

    class Meta:
        abstract = True


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

    def __str__(self):
        return f"{self.order_id} {self.level}"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        """Rows still running: neither met nor cancelled (the one definition of "open")."""
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)


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
        help_text=_("policy, channel (an external limit was earlier), reopen, extension, supervision"),
    )
    original_due_at = models.DateTimeField(_("first due time"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("reminder at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    remind_at = models.DateTimeField(
        _("day-before reminder at"),
        null=True,
        blank=True,
        help_text=_("One working day before a working-day due time (domain.md A8)."),
    )
    reminded_at = models.DateTimeField(_("day-before reminder sent"), null=True, blank=True)
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
    held_until = models.DateTimeField(
        _("paused at most until"),
        null=True,
        blank=True,
        help_text=_("The ceiling of a pause: the regulatory limit, where the clock runs again."),
    )
    paused_seconds = models.PositiveIntegerField(_("paused (seconds)"), default=0)
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("Computed on plain weekdays because the work calendar lacks a year it needed."),
    )
    next_at = models.DateTimeField(_("next check"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = DeadlineQuerySet.as_manager()

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
