"""Reads of the knowledge base: search by category (with its ancestors) and text, effective only."""

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from complaints.models import Category

from .models import Article, ReplyTemplate
from .placeholders import fill_placeholders, order_values


def category_resolve(value) -> Category | None:
    """A category from a code (``040101``) or an id (``57``); a code wins, as codes are what people
    type; None when neither names a category."""
    value = str(value or "").strip()
    if not value:
        return None
    found = Category.objects.filter(code=value).first()
    if found is None and value.isascii() and value.isdigit() and int(value) < 2**63:  # a bigint
        found = Category.objects.filter(pk=int(value)).first()
    return found


def category_scope(category: Category):
    """The categories whose entries apply to ``category`` (a queryset of ids, used as a subquery):
    itself and its ancestors (an entry of a level-1 or level-2 category applies to its leaves) and,
    for a level-1 or level-2 category chosen in a filter, the categories below it."""
    return Category.objects.filter(
        Q(pk=category.pk)
        | Q(children=category)
        | Q(children__children=category)
        | Q(parent=category)
        | Q(parent__parent=category)
    ).values("pk")


def _search(qs, *, category=None, q="", effective_only=True, day=None):
    if category is not None:
        qs = qs.filter(category__in=category_scope(category))
    for word in (q or "").split()[:5]:
        # icontains on both databases: the knowledge base is small (hundreds of rows), so a scan is
        # cheap and behaves the same on SQLite and PostgreSQL (no trigram index needed here).
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if effective_only:
        day = day or timezone.localdate()
        qs = qs.filter(is_active=True, effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )
    return qs.select_related("category")


def article_search(*, category=None, q="", kind="", effective_only=True, day=None):
    """Articles that apply to ``category`` and contain every word of ``q`` (title or text)."""
    qs = Article.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return _search(qs, category=category, q=q, effective_only=effective_only, day=day)


def template_search(*, category=None, q="", stage="", effective_only=True, day=None):
    """Reply templates that apply to ``category`` (and ``stage``) and contain every word of ``q``."""
    qs = ReplyTemplate.objects.all()
    if stage:
        qs = qs.filter(stage=stage)
    return _search(qs, category=category, q=q, effective_only=effective_only, day=day)


def templates_for_order(order, stage: str) -> list[dict]:
    """The effective templates of the order's category for ``stage``, filled for this order:
    ``[{id, title, body}]``, the most specific category first. Empty without a category."""
    if not order.category_id:
        return []
    rows = sorted(
        template_search(category=order.category, stage=stage),
        key=lambda t: (-t.category.level, t.title, t.pk),
    )
    if not rows:
        return []
    values = order_values(order)
    return [{"id": t.pk, "title": t.title, "body": fill_placeholders(t.body, values)} for t in rows]


# The order page's forms that offer templates: action code → (template stage, the textarea it fills).
TEMPLATE_FORMS = {"reply": ("reply", "reply"), "callback": ("callback", "comment")}


def template_offer(order, action_code: str) -> dict | None:
    """What the order page's ``action_code`` form offers: ``{field, items}`` with the category's
    templates of that stage filled for the order (each with the URL that counts its use), or None
    for other forms and when there are none."""
    if action_code not in TEMPLATE_FORMS:
        return None
    stage, field = TEMPLATE_FORMS[action_code]
    items = templates_for_order(order, stage)
    if not items:
        return None
    for item in items:
        try:
            item["use_url"] = reverse("knowledge:template-use", args=[item["id"]])
        except NoReverseMatch:  # the pages are not installed: the texts are offered, not counted
            item["use_url"] = ""
    return {"field": field, "items": items}
