"""The role queues of the workbench: which orders each queue holds, and their counts.

Every queue is a filter on ``workorders_visible_to(user)``, so a queue never shows an order the
user could not open. Counts are COUNTs over an indexed, filtered subset (one status, one
department), never over the whole table.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role

from .models import OPEN_STATUSES, Deadline, ExtensionRequest, Status, WorkOrder
from .selectors import handler_department_ids, workorders_visible_to

NEAR_DEADLINE = timedelta(hours=24)  # the queue page's "due within" hint


def _open_deadlines():
    return Deadline.objects.open()


def with_due(qs: QuerySet) -> QuerySet:
    """Annotate ``next_due``: the earliest open deadline."""
    first = _open_deadlines().filter(order=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    return qs.annotate(next_due=Subquery(first))


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


def queue_counts(user: User) -> list[dict]:
    """Each of the user's queues with its count (for the navigation)."""
    now = timezone.now()
    return [
        {"code": q.code, "label": q.label, "count": queue_orders(user, q.code, now=now).count()}
        for q in queues_for(user)
    ]
