"""What the customer said: customers, the category tree, channels and the complaint itself."""

import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.validators import phone_validator


class Channel(models.TextChoices):
    """Intake channels (domain.md, "Codes"). The channel sets the external deadline."""

    PHONE_95598 = "phone_95598", _("95598 phone")
    WEB_95598 = "web_95598", _("95598 website")
    APP = "app", _("State Grid Online app")
    WECHAT = "wechat", _("WeChat")
    WEIBO = "weibo", _("Weibo")
    LETTER = "letter", _("Letter")
    WALK_IN = "walk_in", _("Service hall")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    LEADER_RECEPTION = "leader_reception", _("Leader reception day")
    REGULATOR_12398 = "regulator_12398", _("12398 regulator hotline")
    GOV_12345 = "gov_12345", _("12345 government hotline")
    OTHER = "other", _("Other")


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
ACCOUNT_RE = re.compile(r"^\d{10}$")

account_validator = RegexValidator(
    r"^\d{10}$", _("An account number (户号) has exactly 10 digits."), code="invalid_account_no"
)


def normalize_phone(value: str) -> str:
    """Strip spaces, dashes inside mobiles and a +86/0086 prefix: ' +86 138-1234-5678' → '13812345678'."""
    value = re.sub(r"[\s()（）]", "", value or "")
    value = re.sub(r"^(\+86|0086)", "", value)
    if re.fullmatch(r"1[\d-]{10,13}", value):
        value = value.replace("-", "")
    return value


def mask_phone(value: str) -> str:
    """138****5678 for mobiles, 0571****4321 style for landlines."""
    if not value:
        return value
    if len(value) >= 7:
        return value[:3] + "****" + value[-4:] if MOBILE_RE.match(value) else value[:4] + "****" + value[-4:]
    return "****"


def mask_address(value: str) -> str:
    """Keep the district-level head, hide the rest: 滨江市城东区幸福路12号3单元 → 滨江市城东区****."""
    if not value:
        return value
    cut = max((value.find(ch) for ch in "区县镇乡街路" if value.find(ch) != -1), default=-1)
    head = value[: cut + 1] if 0 <= cut < len(value) - 1 else value[: min(6, len(value) // 2)]
    return head + "****"


class Category(models.Model):
    """The three-level category tree of domain.md §6; data-driven because SGCC revises it."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), editable=False, default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def save(self, *args, **kwargs):
        self.level = self.parent.level + 1 if self.parent_id else 1
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        lang = get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name

    @property
    def is_leaf(self) -> bool:
        return not self.children.filter(is_active=True).exists()

    def ancestor_at(self, level: int):
        node = self
        while node is not None and node.level > level:
            node = node.parent
        return node if node is not None and node.level == level else None


class Customer(models.Model):
    """A utility customer (用户). Found by account number (户号) or phone at intake."""

    account_no = models.CharField(
        _("account number"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[account_validator],
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, db_index=True, validators=[phone_validator])
    alt_phone = models.CharField(
        _("other phone"),
        max_length=20,
        blank=True,
        db_index=True,
        validators=[phone_validator],
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    supply_unit = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("supply unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    is_key_customer = models.BooleanField(_("key customer"), default=False)
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Has threatened media, 12398, 12345 or a lawsuit, or needs special care."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return f"{self.name or _('(no name)')} {self.account_no or self.phone}"


class Complaint(models.Model):
    """What the customer said, as the agent recorded it. Its work order carries the handling."""

    tracking_no = models.CharField(
        _("tracking number"), max_length=20, unique=True, null=True, editable=False
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    external_ref = models.CharField(_("external reference (12398/12345)"), max_length=40, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    customer_name = models.CharField(_("complainant"), max_length=100, blank=True)
    phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, db_index=True, validators=[phone_validator]
    )
    account_no = models.CharField(
        _("account number"),
        max_length=10,
        blank=True,
        validators=[account_validator],
    )
    address = models.CharField(_("address"), max_length=255)
    content = models.TextField(_("complaint content"))
    demand = models.TextField(_("customer's demand"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    event_time = models.DateTimeField(_("event time"), null=True, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_confidential = models.BooleanField(_("confidential"), default=False)
    upgrade_tendency = models.BooleanField(
        _("upgrade tendency"),
        default=False,
        help_text=_("The customer threatens media, 12398, 12345 or a lawsuit."),
    )
    sms_opt_out = models.BooleanField(
        _("no SMS to the customer"),
        default=False,
        help_text=_("The customer asked for no SMS (acknowledgement, reply, closing, survey)."),
    )
    language = models.CharField(
        _("customer's language"),
        max_length=10,
        blank=True,
        choices=[("zh-hans", _("Simplified Chinese")), ("en", _("English"))],
        help_text=_("The language of the SMS to the customer (blank: the system's default)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self):
        return self.tracking_no or f"#{self.pk}"


class IdempotencyKey(models.Model):
    """The first answer to a request that carried an ``Idempotency-Key``; replays get it back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_key_per_user")]

    def __str__(self):
        return self.key


class PublicRequest(models.Model):
    """One answer of a public surface (issue 15: progress lookup, web intake, survey, Open311): what
    was asked and what was answered, for abuse review and the regulator's questions. Never the full
    phone number: only its last four digits as typed."""

    class Kind(models.TextChoices):
        TRACK = "track", _("progress lookup")
        COMPLAIN = "complain", _("web intake")
        SURVEY = "survey", _("satisfaction survey")
        OPEN311 = "open311", _("Open311")

    kind = models.CharField(_("surface"), max_length=10, choices=Kind.choices)
    outcome = models.CharField(_("answer"), max_length=24)  # e.g. found, not_found, throttled, created
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    tracking_no = models.CharField(_("tracking number asked"), max_length=32, blank=True)
    phone_suffix = models.CharField(_("phone suffix asked"), max_length=4, blank=True)
    order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("public request")
        verbose_name_plural = _("public requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="public_request_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.outcome} {self.created_at:%Y-%m-%d %H:%M}"


# The knowledge base (issue 16): its models live in complaints/knowledge/ and belong to this app.
from .knowledge.models import Article, ArticleVersion, ReplyTemplate, ReplyTemplateVersion  # noqa: E402, F401
