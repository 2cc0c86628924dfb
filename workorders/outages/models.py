"""Outage events (停电事件), the orders linked to them and the bulk runs over those orders.

See ``workorders.outages`` (the package docstring) for the rules; these are the facts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutageSource(models.TextChoices):
    MANUAL = "manual", _("Entered by a dispatcher")
    API = "api", _("Received from the distribution system")


class OutageEvent(models.Model):
    """One outage: where (``area``, comma-separated place names), when, why, and from whom."""

    area = models.CharField(_("area"), max_length=500)
    unit = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("supply unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outages",
    )
    started_at = models.DateTimeField(_("started at"))
    expected_restore_at = models.DateTimeField(_("expected restore at"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=OutageSource.choices, default=OutageSource.MANUAL
    )
    # The distribution system's id: a repeated API post with the same id is the same outage.
    external_ref = models.CharField(_("external reference"), max_length=100, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outage event")
        verbose_name_plural = _("outage events")
        ordering = ("-started_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=Q(external_ref__isnull=False),
                name="outage_external_ref_unique",
            )
        ]
        indexes = [models.Index(fields=["started_at"], name="outage_started_idx")]

    def __str__(self) -> str:
        return f"{self.area} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def places(self) -> list[str]:
        """The area's place names (split on ASCII and Chinese commas, semicolons and 、)."""
        text = self.area
        for sep in ("，", "、", ";", "；", "\n"):
            text = text.replace(sep, ",")
        return [p.strip() for p in text.split(",") if len(p.strip()) >= 2]


class OutageLink(models.Model):
    """An order linked to an outage: suggested (``confirmed=False``) or confirmed by a dispatcher."""

    outage = models.ForeignKey(OutageEvent, on_delete=models.CASCADE, related_name="links")
    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="outage_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked at"))
    confirmed = models.BooleanField(_("confirmed"), default=False)
    suggested_score = models.PositiveSmallIntegerField(_("suggestion score"), default=0)

    class Meta:
        verbose_name = _("outage link")
        verbose_name_plural = _("outage links")
        constraints = [models.UniqueConstraint(fields=["outage", "order"], name="outage_link_unique")]

    def __str__(self) -> str:
        return f"{self.outage_id} ↔ {self.order_id}"


class OutageBulkRun(models.Model):
    """One bulk request over an outage's orders, kept by its key so a repeat answers, not acts."""

    outage = models.ForeignKey(OutageEvent, on_delete=models.CASCADE, related_name="bulk_runs")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    action = models.CharField(max_length=16)
    data = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="outage_bulk_key_unique")]

    def __str__(self) -> str:
        return f"{self.action} {self.key}"
