"""Statistics: the aggregate tables, generated reports and their subscriptions, export jobs."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .orders import Satisfaction, Truthfulness, WorkOrder

# Handling-time histogram bucket upper edges, in hours; the last bucket is open-ended. The 90th
# percentile is read from this histogram (interpolated inside its bucket).
HANDLING_BUCKET_EDGES = (1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 360, 720)
HANDLING_BUCKETS = len(HANDLING_BUCKET_EDGES) + 1
# Stages whose deadlines the per-stage on-time rate measures, and what completes each.
STAT_STAGES = ("dispatch", "contact", "reply", "review", "callback")

# The additive measures of one order (see workorders.stats.aggregates.order_measures).
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
    # The first callback that reached the customer (WorkOrder.first_satisfaction).
    "first_evaluated",
    "first_satisfied",
    # Counts per truthfulness and satisfaction value (pivot columns without multiplying the rows).
    *(f"truth_{v}" for v in Truthfulness.values),
    *(f"sat_{v}" for v in Satisfaction.values),
    "repeat",
    "urged",
    # Urged by the centre (内部催办) at least once: counted against the department holding the order.
    "internal_urged",
    "returned",
    "rejected",
    "reopened",
    "merged",
    "dismissed",
    "breached",
    # 挂起 at least once; closed as 服务终止 (issue 16: reported as their own counts).
    "suspended",
    "terminated",
    # 12398 / 12345 orders: received, replied to the platform (late), evaluated by it (satisfied).
    "platform",
    "platform_replied",
    "platform_late",
    "platform_evaluated",
    "platform_satisfied",
    *(f"done_{s}" for s in STAT_STAGES),
    *(f"late_{s}" for s in STAT_STAGES),
)


class StatsDaily(models.Model):
    """Daily aggregate: the orders received on ``day`` (Asia/Shanghai) with these dimensions.

    One row per combination of day, unit, department, category, channel and level; every measure
    is the sum over those orders of their current figures. The transition hook keeps it up to date
    (moving an order's contribution when its dimensions change); ``stats_rebuild`` recomputes it.
    The dashboard reads only this table and StatsOpen.
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

    def __str__(self):
        return (
            f"{self.day} {self.unit_id}/{self.department_id}/{self.category_id} {self.channel} {self.level}"
        )


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

    def __str__(self):
        return f"{self.day} {self.unit_id}/{self.department_id}"


class StatsCategoryDaily(models.Model):
    """Complaints received per (day, unit, department, first-level category): the dashboard's
    category mix over a year reads a few rows per day here instead of the full daily table."""

    day = models.DateField()
    unit_id = models.IntegerField()
    department_id = models.IntegerField(default=0)
    category1_id = models.IntegerField(default=0)  # 0: not classified yet
    received = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit_id", "department_id", "category1_id"], name="stats_category_daily_key"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.unit_id}/{self.department_id} {self.category1_id}: {self.received}"


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

    def __str__(self):
        return f"{self.status} {self.unit_id}/{self.department_id}: {self.count}"


class StatsOrderFacts(models.Model):
    """What one order contributes to the aggregates now, so a change can be applied as a delta."""

    order = models.OneToOneField(WorkOrder, primary_key=True, on_delete=models.CASCADE, related_name="+")
    daily_key = models.JSONField(default=list)
    open_key = models.JSONField(default=list, blank=True)  # empty when closed
    overdue_open = models.BooleanField(default=False)
    # The stages whose deadline was late (stats.aggregates.late_stages); named before lateness was
    # read from the deadline rows.
    breached_stages = models.JSONField(default=list, blank=True)
    measures = models.JSONField(default=dict)

    def __str__(self):
        return str(self.order_id)


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

    def __str__(self):
        return f"{self.user_id} {self.kind}"


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

    def __str__(self):
        return f"{self.user_id} {self.status} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress(self) -> int:
        if self.status == self.State.DONE:
            return 100
        return int(self.written * 100 / self.total) if self.total else 0
