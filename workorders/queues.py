"""The role queues of the workbench: which orders each queue holds, and their counts; and what a
list page shows per order from its deadline rows (the next due time, the stages late now or done late).

Every queue is a filter on ``workorders_visible_to(user)``, so a queue never shows an order the
user could not open. Counts are COUNTs over an indexed, filtered subset (one status, one
department), never over the whole table.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from accounts.roles import Role
from config.cache import cache_delete, cache_get, cache_set

from .models import (
    OPEN_STATUSES,
    PLATFORM_CHANNELS,
    UNHANDLED_OUTCOMES,
    AssistRequest,
    Deadline,
    ExtensionRequest,
    Stage,
    Status,
    WorkOrder,
)
from .selectors import handler_department_ids, workorders_visible_to
from .stats.aggregates import LATE_ROW

NEAR_DEADLINE = timedelta(hours=24)  # the queue page's "due within" hint


def _open_deadlines():
    return Deadline.objects.open()


def with_due(qs: QuerySet) -> QuerySet:
    """Annotate ``next_due``: the earliest open deadline whose clock runs (a clock held while an
    extension request waits has no due time to count down to; the request's decision clock has),
    and ``next_started``: when that deadline's clock started (the share of its limit used).

    Both are columns of the order kept by the deadline effects (``deadlines.engine.sync_next_due``),
    so a queue sorted by ``next_due`` walks the index on (department, status, next due) instead of
    probing every order's deadline rows (issue 12)."""
    return qs.annotate(next_due=F("next_due_at"), next_started=F("next_started_at"))


# The time-left colours, by the share of the running deadline's limit already used (issue 14), not
# by a fixed "due within 24 h": a 10-day reply limit with 20 hours left is red, a 2-hour dispatch
# limit with 1.5 hours left green. Below 50 %: "ok"; to 80 %: "half"; beyond: "near"; past: "overdue".
DUE_SHARE_STEPS = ((0.5, "ok"), (0.8, "half"), (1.0, "near"))


def due_share(started, due, now) -> float | None:
    """The share (0..1+) of the time from ``started`` to ``due`` already used at ``now``."""
    if started is None or due is None:
        return None
    if now >= due:
        return 1.0
    total = (due - started).total_seconds()
    return (now - started).total_seconds() / total if total > 0 else 1.0


def due_class(share: float | None) -> str:
    """ "ok", "half", "near" or "overdue" for a share of the limit used; "" when unknown."""
    if share is None:
        return ""
    for upper, css in DUE_SHARE_STEPS:
        if share < upper:
            return css
    return "overdue"


def near_deadline_q(now) -> Q:
    soon = _open_deadlines().filter(order=OuterRef("pk"), warn_at__lte=now)
    return Q(Exists(soon)) & Q(is_overdue=False)


@dataclass(frozen=True)
class Queue:
    code: str
    label: str
    roles: frozenset
    filter: Callable[[User, object], Q]
    group: str = ""


def _handled(user):
    return Q(department_id__in=handler_department_ids(user))


QUEUES: dict[str, Queue] = {
    q.code: q
    for q in [
        Queue(
            "drafts",
            _("Drafts"),
            frozenset({Role.AGENT}),
            lambda u, now: Q(status=Status.INTAKE, received_by=u),
            Role.AGENT,
        ),
        Queue(
            "callback",
            _("To call back"),
            frozenset({Role.AGENT}),
            lambda u, now: Q(status=Status.CALLBACK),
            Role.AGENT,
        ),
        Queue(
            "classify",
            _("To classify"),
            frozenset({Role.DISPATCHER}),
            lambda u, now: Q(status=Status.CLASSIFICATION),
            Role.DISPATCHER,
        ),
        Queue(
            "assign",
            _("To assign"),
            frozenset({Role.DISPATCHER}),
            lambda u, now: Q(status=Status.ASSIGNMENT, return_count=0),
            Role.DISPATCHER,
        ),
        Queue(
            "returned",
            _("Returned"),
            frozenset({Role.DISPATCHER}),
            lambda u, now: Q(status=Status.ASSIGNMENT, return_count__gt=0),
            Role.DISPATCHER,
        ),
        Queue(
            "new",
            _("New"),
            frozenset({Role.HANDLER}),
            lambda u, now: _handled(u) & Q(status=Status.PROCESSING, accepted_at__isnull=True),
            Role.HANDLER,
        ),
        Queue(
            "in_progress",
            _("In progress"),
            frozenset({Role.HANDLER}),
            lambda u, now: _handled(u) & Q(status=Status.PROCESSING, accepted_at__isnull=False),
            Role.HANDLER,
        ),
        Queue(
            "near_deadline",
            _("Near deadline"),
            frozenset({Role.HANDLER}),
            lambda u, now: _handled(u) & Q(status__in=OPEN_STATUSES) & near_deadline_q(now),
            Role.HANDLER,
        ),
        Queue(
            "overdue",
            _("Overdue"),
            frozenset({Role.HANDLER}),
            lambda u, now: _handled(u) & Q(status__in=OPEN_STATUSES, is_overdue=True),
            Role.HANDLER,
        ),
        Queue(
            "review",
            _("To review"),
            frozenset({Role.SUPERVISOR}),
            lambda u, now: Q(status=Status.REVIEW),
            Role.SUPERVISOR,
        ),
        Queue(
            "extensions",
            _("Extension requests"),
            frozenset({Role.SUPERVISOR}),
            lambda u, now: (
                Q(status=Status.PROCESSING)
                & Q(
                    Exists(
                        ExtensionRequest.objects.filter(
                            order=OuterRef("pk"), state=ExtensionRequest.State.PENDING
                        )
                    )
                )
            ),
            Role.SUPERVISOR,
        ),
        Queue(
            "escalated",
            _("Escalated"),
            frozenset({Role.SUPERVISOR, Role.MANAGER}),
            lambda u, now: (
                Q(status__in=OPEN_STATUSES)
                & (Q(is_escalated=True) | Q(is_supervised=True) | Q(needs_supervisor_decision=True))
            ),
            Role.SUPERVISOR,
        ),
        Queue(
            "assist",
            _("Assisting parts"),
            frozenset({Role.HANDLER}),
            lambda u, now: (
                Q(status=Status.PROCESSING)
                & Q(
                    Exists(
                        AssistRequest.objects.filter(
                            order=OuterRef("pk"),
                            state=AssistRequest.State.PENDING,
                            department_id__in=handler_department_ids(u),
                        )
                    )
                )
            ),
            Role.HANDLER,
        ),
        Queue(
            "supervision",
            _("Supervision to answer"),
            frozenset({Role.HANDLER}),
            lambda u, now: (
                _handled(u)
                & Q(status__in=OPEN_STATUSES)
                & Q(Exists(_open_deadlines().filter(order=OuterRef("pk"), stage=Stage.SUPERVISION)))
            ),
            Role.HANDLER,
        ),
        Queue(
            "suspensions",
            _("Suspension requests"),
            frozenset({Role.SUPERVISOR}),
            lambda u, now: Q(status=Status.PROCESSING, suspend_requested_at__isnull=False),
            Role.SUPERVISOR,
        ),
        Queue(
            "platform",
            _("12398/12345"),
            frozenset({Role.DISPATCHER, Role.SUPERVISOR}),
            lambda u, now: (
                Q(channel__in=PLATFORM_CHANNELS)
                & (Q(status__in=OPEN_STATUSES) | Q(platform_replied_at__isnull=True, status=Status.CLOSED))
                & ~Q(outcome__in=UNHANDLED_OUTCOMES)
            ),
            Role.DISPATCHER,
        ),
        Queue(
            "all_overdue",
            _("Overdue"),
            frozenset({Role.MANAGER}),
            lambda u, now: Q(status__in=OPEN_STATUSES, is_overdue=True),
            Role.MANAGER,
        ),
    ]
}


def queues_for(user: User) -> list[Queue]:
    if not user.is_authenticated:
        return []
    return [q for q in QUEUES.values() if user.roles & q.roles]


def queue_orders(user: User, code: str, *, now=None) -> QuerySet[WorkOrder]:
    queue = QUEUES[code]
    if not user.roles & queue.roles:
        return WorkOrder.objects.none()
    return workorders_visible_to(user).filter(queue.filter(user, now or timezone.now()))


# The navigation counts a queue up to this many (then shows "99+"): a bounded COUNT over the first
# rows costs the same at a million orders as at a hundred, and nobody triages by the exact number.
QUEUE_COUNT_CAP = 99


def _queue_count_key(user: User) -> str:
    return f"workorders:queue-counts:{user.pk}"


def queue_counts(user: User) -> list[dict]:
    """Each of the user's queues with its count, capped (``count_label`` "99+" past the cap).

    Every page shows the badges, so the counts are kept per user for ``QUEUE_COUNT_SECONDS``
    (default 15 s) in the cache; the user's own actions drop them (``queue_counts_forget``), so
    what a user did shows at once and what others did within seconds. 0 counts on every page.
    """
    queues = queues_for(user)
    ttl = settings.QUEUE_COUNT_SECONDS
    counts = cache_get(_queue_count_key(user)) if ttl else None
    if not isinstance(counts, dict) or set(counts) != {q.code for q in queues}:
        now = timezone.now()
        counts = {
            q.code: queue_orders(user, q.code, now=now).order_by()[: QUEUE_COUNT_CAP + 1].count()
            for q in queues
        }
        if ttl:
            cache_set(_queue_count_key(user), counts, ttl)
    items = []
    for q in queues:
        count = counts[q.code]
        label = f"{QUEUE_COUNT_CAP}+" if count > QUEUE_COUNT_CAP else str(count)
        items.append({"code": q.code, "label": q.label, "count": count, "count_label": label})
    return items


def queue_counts_forget(user: User) -> None:
    """Drop the user's kept counts: the next page counts anew (after the user's own action)."""
    cache_delete(_queue_count_key(user))


# --- lateness per stage ----------------------------------------------------------------------------
# Which stages of an order are late, from its deadline rows: a row is late by ``LATE_ROW`` (the one
# definition, docs/figures.md "Lateness"); a late row still open is overdue now, a late row no longer
# open (met after its due time, or stopped after it was found overdue) was late.

STAGE_ORDER = {stage: i for i, stage in enumerate(Stage.values)}
# Short stage names for the lateness badges ("Callback overdue", "Dispatch late"). "Review" and
# "Callback" alone are also statuses (待审核, 待回访): as stages they take the context "stage".
STAGE_NAMES = {
    Stage.DISPATCH: _("Dispatch"),
    Stage.CONTACT: _("First contact"),
    Stage.REPLY: _("Reply"),
    Stage.REVIEW: pgettext_lazy("stage", "Review"),
    Stage.CALLBACK: pgettext_lazy("stage", "Callback"),
    Stage.OVERALL: _("Closure"),
    Stage.REGULATORY: _("Regulatory limit"),
    Stage.EXTENSION: _("Extension decision"),
    Stage.SUPERVISION: _("Supervision answer"),
    Stage.ASSIST: _("Assisting parts"),
    Stage.PLATFORM: _("Platform reply"),
}
LATE_KINDS = {
    # kind: (badge text, its explanation, Bootstrap badge classes)
    "overdue": (
        _("%(stage)s overdue"),
        _("Not done yet and past its due time."),
        "text-bg-danger",
    ),
    "late": (
        _("%(stage)s late"),
        _("Done after its due time."),
        "bg-secondary-subtle text-secondary-emphasis border border-secondary-subtle",
    ),
}


def late_stages_of(rows) -> dict[str, list[str]]:
    """``{"overdue": [...], "late": [...]}`` from an order's late deadline rows, stages in their
    order. ``overdue``: a late row still open; ``late``: a late row no longer open (any cycle, so a
    stage late before a reopen and overdue again now is in both)."""
    found = {"overdue": set(), "late": set()}
    for row in rows:
        found["overdue" if row.is_open else "late"].add(row.stage)
    return {
        kind: sorted(stages, key=lambda s: STAGE_ORDER.get(s, len(STAGE_ORDER)))
        for kind, stages in found.items()
    }


def late_stages_by_order(order_ids) -> dict[int, dict[str, list[str]]]:
    """The late stages of many orders in one query (a list page's orders)."""
    rows = (
        Deadline.objects.filter(order_id__in=list(order_ids))
        .filter(LATE_ROW)
        .only("order_id", "stage", "met_at", "cancelled_at")
        .order_by()
    )
    by_order: dict[int, list] = {}
    for row in rows:
        by_order.setdefault(row.order_id, []).append(row)
    return {order_id: late_stages_of(late) for order_id, late in by_order.items()}


def late_badges(late: dict[str, list[str]]) -> list[dict]:
    """The badges of an order's late stages, overdue ones first, in the active language; a stage
    overdue now is not repeated as done late."""
    badges = []
    for kind in ("overdue", "late"):
        text, title, css = LATE_KINDS[kind]
        for stage in late.get(kind, []):
            if kind == "late" and stage in late.get("overdue", []):
                continue
            name = STAGE_NAMES.get(stage, stage)
            badges.append(
                {
                    "stage": stage,
                    "kind": kind,
                    "label": str(text) % {"stage": name},
                    "title": title,
                    "css": css,
                }
            )
    return badges


def with_late_stages(orders: list[WorkOrder]) -> list[WorkOrder]:
    """Set ``late_stages`` and ``late_badges`` on each order of a page (one query for the page)."""
    by_order = late_stages_by_order(o.pk for o in orders)
    empty = {"overdue": [], "late": []}
    for order in orders:
        order.late_stages = by_order.get(order.pk, empty)
        order.late_badges = late_badges(order.late_stages)
    return orders
