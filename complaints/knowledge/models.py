"""Articles and reply templates, each with its version history (see the package docstring).

Versioning: the ``Article`` / ``ReplyTemplate`` row is the stable identity (its id is what pages,
the API and read counts refer to) holding the current version's fields and ``version``; every
version, the current one included, is also a row of ``ArticleVersion`` / ``ReplyTemplateVersion``
written by the services in the same transaction, never edited afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    POLICY = "policy", _("Policy")
    TARIFF = "tariff", _("Tariff")
    PROCEDURE = "procedure", _("Procedure")
    FAQ = "faq", _("FAQ")


class TemplateStage(models.TextChoices):
    INTAKE = "intake", _("Intake script")
    REPLY = "reply", _("Reply to the customer")
    CALLBACK = "callback", _("Callback script")


def _today():
    return timezone.localdate()


class KnowledgeEntry(models.Model):
    """What articles and templates share: text, category, effective dates, state and version."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("An entry of a level-1 or level-2 category applies to every category below it."),
    )
    effective_from = models.DateField(_("effective from"), default=_today)
    effective_to = models.DateField(
        _("effective until"), null=True, blank=True, help_text=_("The last day it applies; empty: no end.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    def is_effective(self, day=None) -> bool:
        day = day or timezone.localdate()
        return (
            self.is_active
            and self.effective_from <= day
            and (self.effective_to is None or self.effective_to >= day)
        )


class Article(KnowledgeEntry):
    """A knowledge-base article: a policy, tariff rule, procedure or FAQ answer agents read out."""

    kind = models.CharField(_("kind"), max_length=12, choices=ArticleKind.choices, default=ArticleKind.POLICY)
    read_count = models.PositiveIntegerField(_("reads"), default=0, editable=False)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["category__code", "title", "id"]
        indexes = [models.Index(fields=["category", "is_active"], name="kb_article_category")]


class ReplyTemplate(KnowledgeEntry):
    """A script or reply text with placeholders ({customer_name}, {tracking_no}, ...), per stage."""

    stage = models.CharField(_("stage"), max_length=10, choices=TemplateStage.choices)
    use_count = models.PositiveIntegerField(_("uses"), default=0, editable=False)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["category__code", "stage", "title", "id"]
        indexes = [models.Index(fields=["category", "stage", "is_active"], name="kb_template_category")]


class EntryVersion(models.Model):
    """One version of an entry, as it read when saved: never edited."""

    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        "complaints.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("edited"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.title} v{self.version}"


class ArticleVersion(EntryVersion):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    kind = models.CharField(_("kind"), max_length=12, choices=ArticleKind.choices)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="uniq_article_version")]


class ReplyTemplateVersion(EntryVersion):
    template = models.ForeignKey(ReplyTemplate, on_delete=models.CASCADE, related_name="versions")
    stage = models.CharField(_("stage"), max_length=10, choices=TemplateStage.choices)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-version"]
        constraints = [models.UniqueConstraint(fields=["template", "version"], name="uniq_template_version")]
