"""Writes of the knowledge base: create, edit (a new version), retire, count a read or a use.

Who may write is checked here (``can_manage``), so the pages, the admin and any later API behave
the same: supervisors, managers and administrators manage; everyone signed in reads.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from config.errors import DomainError

from .models import Article, ArticleVersion, ReplyTemplate, ReplyTemplateVersion

MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})

# The fields an edit may change, per model; the version row copies them.
FIELDS = {
    Article: ("kind", "title", "body", "category", "effective_from", "effective_to"),
    ReplyTemplate: ("stage", "title", "body", "category", "effective_from", "effective_to"),
}
VERSIONS = {Article: (ArticleVersion, "article"), ReplyTemplate: (ReplyTemplateVersion, "template")}


def can_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*MANAGER_ROLES))


def _check(actor):
    """``actor`` None is the system (the demo seeder); a person must be allowed to manage."""
    if actor is not None and not can_manage(actor):
        raise DomainError(
            _("Only supervisors and managers edit the knowledge base."), code="permission_denied"
        )


def _check_dates(fields):
    start, end = fields.get("effective_from"), fields.get("effective_to")
    if start and end and end < start:
        message = _("The end date comes before the start date.")
        raise DomainError(message, code="invalid", fields={"effective_to": [message]})


def _snapshot(entry, actor):
    model, link = VERSIONS[type(entry)]
    model.objects.create(
        **{link: entry},
        version=entry.version,
        edited_by=actor,
        edited_at=entry.updated_at,
        **{name: getattr(entry, name) for name in FIELDS[type(entry)]},
    )


@transaction.atomic
def entry_create(model, *, actor, **fields):
    """A new article or template (version 1, with its version row)."""
    _check(actor)
    _check_dates(fields)
    now = timezone.now()
    entry = model(**fields, created_by=actor, updated_by=actor, created_at=now, updated_at=now)
    entry.full_clean()
    entry.save()
    _snapshot(entry, actor)
    return entry


@transaction.atomic
def entry_update(entry, *, actor, **fields):
    """Edit an entry: a new version when anything changed (the old one stays readable); nothing
    is written when the fields are as they were."""
    _check(actor)
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    changed = {name: value for name, value in fields.items() if getattr(entry, name) != value}
    unknown = set(fields) - set(FIELDS[type(entry)])
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if not changed:
        return entry
    for name, value in changed.items():
        setattr(entry, name, value)
    _check_dates({"effective_from": entry.effective_from, "effective_to": entry.effective_to})
    entry.version += 1
    entry.updated_by = actor
    entry.updated_at = timezone.now()
    entry.full_clean()
    entry.save()
    _snapshot(entry, actor)
    return entry


@transaction.atomic
def entry_set_active(entry, *, actor, active: bool):
    """Retire an entry (it is no longer offered) or bring it back; its versions stay."""
    _check(actor)
    type(entry).objects.filter(pk=entry.pk).update(
        is_active=active, updated_by=actor, updated_at=timezone.now()
    )
    entry.refresh_from_db()
    return entry


def article_create(*, actor, **fields) -> Article:
    return entry_create(Article, actor=actor, **fields)


def article_update(*, article: Article, actor, **fields) -> Article:
    return entry_update(article, actor=actor, **fields)


def article_retire(*, article: Article, actor) -> Article:
    return entry_set_active(article, actor=actor, active=False)


def article_restore(*, article: Article, actor) -> Article:
    return entry_set_active(article, actor=actor, active=True)


def article_count_read(*, article: Article) -> None:
    """One more read (one UPDATE: concurrent readers are all counted)."""
    Article.objects.filter(pk=article.pk).update(read_count=F("read_count") + 1)


def template_create(*, actor, **fields) -> ReplyTemplate:
    return entry_create(ReplyTemplate, actor=actor, **fields)


def template_update(*, template: ReplyTemplate, actor, **fields) -> ReplyTemplate:
    return entry_update(template, actor=actor, **fields)


def template_retire(*, template: ReplyTemplate, actor) -> ReplyTemplate:
    return entry_set_active(template, actor=actor, active=False)


def template_restore(*, template: ReplyTemplate, actor) -> ReplyTemplate:
    return entry_set_active(template, actor=actor, active=True)


def template_count_use(*, template: ReplyTemplate) -> None:
    """One more use: an agent or handler put the template into a form."""
    ReplyTemplate.objects.filter(pk=template.pk).update(use_count=F("use_count") + 1)
