"""Quality inspection (工单质检) models: a weekly round, one inspection per sampled order, one appeal
per inspection and an append-only log of every action. See ``workorders/quality/__init__.py``."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The scoring form, in one place: (code, label, maximum points). The total is their sum (100).
QUALITY_ITEMS = (
    ("intake", _("Intake accuracy"), 25),
    ("classification", _("Classification"), 25),
    ("reply", _("Reply quality"), 30),
    ("callback", _("Callback manner"), 20),
)
QUALITY_MAX_TOTAL = sum(item[2] for item in QUALITY_ITEMS)


class InspectionState(models.TextChoices):
    PENDING = "pending", _("Awaiting scoring")
    SCORED = "scored", _("Scored")
    APPEALED = "appealed", _("Appealed")
    DECIDED = "decided", _("Appeal decided")


# The states in which an inspection has a result (counted in the figures).
RESULT_STATES = (InspectionState.SCORED, InspectionState.APPEALED, InspectionState.DECIDED)


class SampleReason(models.TextChoices):
    AGENT = "agent", _("Sample per agent")
    DEPARTMENT = "department", _("Sample per department")
    UNSATISFIED = "unsatisfied", _("Unsatisfied customer")
    LEVEL = "level", _("Special or major order")


class InspectionRound(models.Model):
    """The sample of one ISO week's closed orders (the week in Asia/Shanghai)."""

    week = models.CharField(_("week"), max_length=8, unique=True)  # "2026-W49"
    week_start = models.DateField(_("week starts"), db_index=True)
    settings_used = models.JSONField(_("settings used"), default=dict, encoder=DjangoJSONEncoder, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        app_label = "workorders"
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-week_start"]

    def __str__(self):
        return self.week


class Inspection(models.Model):
    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="inspections")
    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="inspections")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reasons = models.JSONField(_("why sampled"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=InspectionState.choices, default=InspectionState.PENDING
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.PositiveSmallIntegerField(_("total"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        app_label = "workorders"
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "order"], name="quality_once_per_round"),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="quality_queue"),
            models.Index(fields=["agent", "state"], name="quality_agent"),
            models.Index(fields=["department", "state"], name="quality_department"),
        ]

    def __str__(self):
        return f"{self.round_id}/{self.order_id}"


class AppealDecision(models.TextChoices):
    UPHELD = "upheld", _("Result upheld")
    CHANGED = "changed", _("Total changed")


class InspectionAppeal(models.Model):
    """The inspected party's one appeal (申诉), decided by a manager."""

    inspection = models.OneToOneField(Inspection, on_delete=models.CASCADE, related_name="appeal")
    reason = models.TextField(_("reason"))
    appealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appealed_at = models.DateTimeField(_("appealed at"), default=timezone.now)
    original_total = models.PositiveSmallIntegerField(_("total before the appeal"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=AppealDecision.choices, blank=True)
    new_total = models.PositiveSmallIntegerField(_("new total"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        app_label = "workorders"
        verbose_name = _("inspection appeal")
        verbose_name_plural = _("inspection appeals")

    def __str__(self):
        return f"appeal {self.inspection_id}"


class InspectionLog(models.Model):
    """Append-only audit of the quality actions: sampled, scored, appealed, decided."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("action"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField(_("details"), default=dict, encoder=DjangoJSONEncoder, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        app_label = "workorders"
        verbose_name = _("inspection log entry")
        verbose_name_plural = _("inspection log")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} {self.inspection_id}"
