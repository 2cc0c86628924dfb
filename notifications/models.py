"""Notifications: the matrix, templates, inbox, outbox, webhook subscriptions and preferences.

A work-order event becomes one ``Message`` per notification event type. Each message gives every
recipient an inbox ``Notification`` (written in the transition's transaction) and one ``Delivery``
row per outside channel (email, SMS, webhook): the outbox, delivered by Celery after commit and
re-queued by a beat job, claimed with a conditional update so that a delivery is sent once.
"""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .channels.destinations import validate_webhook_url
from .channels.inbox import INBOX
from .channels.registry import (
    channel_choices,
    preference_channel_choices,
    validate_rule_channels,
)
from .events import event_type_choices


class Recipients(models.TextChoices):
    HOLDER = "holder", _("Current holder (assignee, else the handling department's handlers)")
    ASSIGNEE = "assignee", _("Assignee")
    DISPATCHERS = "dispatchers", _("Dispatchers covering the order")
    SUPERVISORS = "supervisors", _("Supervisors covering the order")
    AGENTS = "agents", _("Agent who logged it (else agents covering the order)")
    DEPARTMENT_LEADERS = "department_leaders", _("Leaders of the handling department")
    UNIT_LEADERS = "unit_leaders", _("Leaders of the responsible unit")
    ESCALATION_LEADERS = "escalation_leaders", _("Leaders n levels up (n = escalation level)")
    DUTY = "duty", _("Person on duty for the day outside office hours (else the department's leaders)")
    ASSISTING = "assisting", _("Handlers of the assisting departments whose part is pending (协办)")


class Language(models.TextChoices):
    ZH = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


def default_rule_channels() -> list[str]:
    return [INBOX]


class NotificationRule(models.Model):
    """One row of the event → recipients → channels matrix.

    ``channels`` lists channel codes from the registry (``channels.rule_channel_choices()``).
    """

    event_type = models.CharField(_("event type"), max_length=32, choices=event_type_choices, db_index=True)
    recipients = models.CharField(_("recipients"), max_length=24, choices=Recipients.choices)
    channels = models.JSONField(
        _("channels"),
        default=default_rule_channels,
        blank=True,
        validators=[validate_rule_channels],
    )
    urgent = models.BooleanField(_("urgent"), default=False, help_text=_("Not deferred by quiet hours."))
    mandatory = models.BooleanField(
        _("mandatory"),
        default=False,
        help_text=_("Recipients cannot switch these channels off."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification rule")
        verbose_name_plural = _("notification rules")
        ordering = ["event_type", "recipients"]
        constraints = [
            models.UniqueConstraint(fields=["event_type", "recipients"], name="notify_rule_unique")
        ]

    def __str__(self):
        return f"{self.get_event_type_display()} → {self.get_recipients_display()}"


class NotificationTemplate(models.Model):
    """Subject and body for one event type, channel and language (Django template language)."""

    event_type = models.CharField(_("event type"), max_length=32, choices=event_type_choices)
    channel = models.CharField(_("channel"), max_length=10, choices=channel_choices)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["event_type", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_type", "channel", "language"], name="notify_template_unique"
            )
        ]

    def __str__(self):
        return f"{self.event_type} / {self.channel} / {self.language}"


class Message(models.Model):
    """One notification event about one order (the unit a webhook receiver sees, with its id)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event type"), max_length=32, db_index=True)
    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="+")
    source_event = models.ForeignKey(
        "workorders.WorkOrderEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dedupe_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")

    def __str__(self):
        return f"{self.event_type} #{self.order_id}"


class Notification(models.Model):
    """An in-app inbox item."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notifications")
    event_type = models.CharField(_("event type"), max_length=32)
    order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notify_inbox"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notify_unread"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="notify_once_per_user"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class WebhookSubscription(models.Model):
    class Kind(models.TextChoices):
        GENERIC = "generic", _("Generic JSON (HMAC-SHA256 signed)")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk robot")

    name = models.CharField(_("name"), max_length=100, blank=True)
    # Public addresses only unless WEBHOOK_ALLOW_PRIVATE_NETWORKS (checked again before each send).
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_("Generic: HMAC key. DingTalk: the robot's signing secret (SEC…), empty if unsigned."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GENERIC)
    events = models.JSONField(_("event types"), default=list, blank=True, help_text=_("Empty means all."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self):
        return self.name or self.url

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class Delivery(models.Model):
    """The outbox: one message to one address over one outside channel."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=channel_choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    subscription = models.ForeignKey(
        WebhookSubscription,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    address = models.CharField(_("address"), max_length=500)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="notify_delivery_due",
            ),
            models.Index(fields=["state", "-created_at"], name="notify_delivery_state"),
        ]

    def __str__(self):
        return f"{self.channel} → {self.address} ({self.state})"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per try."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    ok = models.BooleanField(_("succeeded"))
    detail = models.TextField(_("detail"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery log")
        ordering = ["id"]

    def __str__(self):
        return f"{self.delivery_id} #{self.attempt}"


class NotificationSettings(models.Model):
    """A user's quiet hours and message language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)


class NotificationPreference(models.Model):
    """Overrides the matrix for one user: this event type does (not) reach me by this channel."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event_type = models.CharField(_("event type"), max_length=32, choices=event_type_choices)
    channel = models.CharField(_("channel"), max_length=10, choices=preference_channel_choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event_type", "channel"], name="notify_pref_unique")
        ]

    def __str__(self):
        return f"{self.user} / {self.event_type} / {self.channel}"


class SurveyLink(models.Model):
    """A customer's one-time satisfaction survey link (issue 15), sent by SMS when a reply is approved.

    The link carries a signed token (``notifications.customer.survey_token``) naming this row and its
    ``nonce``; the row makes it one-time (``used_at``). It is good while the order waits for its
    callback and its callback deadline has not passed (read when the link is opened).
    """

    order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.CASCADE, related_name="survey_links", verbose_name=_("order")
    )
    nonce = models.CharField(max_length=16, editable=False)
    # The approval it follows (a reopened order approved again gets a new link; the old one is void).
    approved_at = models.DateTimeField(_("reply approved at"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=24, blank=True)
    dissatisfaction_reason = models.CharField(_("reason for dissatisfaction"), max_length=32, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # "callback": recorded as the order's callback; "survey_answered": kept beside the phone callback.
    recorded_as = models.CharField(_("recorded as"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        ordering = ["-id"]

    def __str__(self):
        return f"survey #{self.pk} ({self.order_id})"
