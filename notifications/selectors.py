"""Reads: who receives a notification, and the inbox."""

from datetime import date, datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from workorders.deadlines.calendar import get_calendar
from workorders.models import WorkOrder, WorkOrderEvent

from .models import Delivery, Notification, Recipients


def _active(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.filter(is_active=True)


def _with_role(role: str) -> QuerySet[User]:
    return _active(User.objects.filter(groups__name=role)).distinct()


def _chain(department: Department | None) -> list[int]:
    """Ids of the department and its ancestors, root first."""
    if department is None:
        return []
    return department.ancestor_ids


def _nearest_leaders(department: Department | None, *, skip: int = 0) -> list[User]:
    """Leaders of the department ``skip`` levels up (stopping at the root); when that node has
    none, of the nearest ancestor that has some."""
    chain = _chain(department)
    if not chain:
        return []
    start = max(len(chain) - 1 - skip, 0)
    candidates = chain[: start + 1]
    # One query: each leader of a candidate, once per department led (``led``).
    leaders = _active(User.objects.filter(led_departments__in=candidates)).annotate(led=F("led_departments"))
    by_dept: dict[int, list[User]] = {}
    for user in leaders.order_by("pk"):
        by_dept.setdefault(user.led, []).append(user)
    for dept_pk in reversed(candidates):
        if by_dept.get(dept_pk):
            return by_dept[dept_pk]
    return []


def _covering(order: WorkOrder, role: str) -> QuerySet[User]:
    """Users of ``role`` whose scope (accounts.selectors.user_covered_departments) includes the order."""
    users = _with_role(role)
    if role in (Role.AGENT, Role.DISPATCHER):
        return users.filter(department__path__startswith=f"/{order.unit.root_id}/")
    ids = set(_chain(order.unit)) | set(_chain(order.department))
    return users.filter(department__in=ids)


def _holder(order: WorkOrder) -> list[User]:
    if order.assignee_id and order.assignee.is_active:
        return [order.assignee]
    if order.department_id is None:
        return []
    handlers = _with_role(Role.HANDLER)
    for dept_pk in reversed(_chain(order.department)):
        found = list(handlers.filter(department_id=dept_pk))
        if found:
            return found
    return []


def on_duty(department: Department | None, day: date) -> list[User]:
    """The duty roster's people for ``day`` of the department, else of its nearest ancestor that
    has someone on the roster that day."""
    chain = _chain(department)
    if not chain:
        return []
    # One query: the roster's people of the chain that day, with the department they stand for.
    rows = User.objects.filter(duty__date=day, duty__department_id__in=chain, is_active=True).annotate(
        duty_for=F("duty__department_id")
    )
    by_dept: dict[int, list[User]] = {}
    for user in rows.order_by("pk"):
        if user not in by_dept.setdefault(user.duty_for, []):
            by_dept[user.duty_for].append(user)
    for dept_pk in reversed(chain):
        if by_dept.get(dept_pk):
            return by_dept[dept_pk]
    return []


def _escalation_level(payload: dict) -> int:
    try:
        return max(int(payload.get("escalation_level") or 1), 1)
    except (TypeError, ValueError):
        return 1


def _duty_moment(event: WorkOrderEvent) -> tuple:
    """(local date, in office hours) of the event: what the duty recipients depend on."""
    moment = event.created_at or timezone.now()
    return timezone.localtime(moment).date(), get_calendar().in_working_hours(moment)


def _duty(order: WorkOrder, event: WorkOrderEvent) -> list[User]:
    """Outside office hours: the person on duty that day for the order's department (its unit before
    dispatch), falling back to the department's leaders; in office hours nobody (the holder,
    supervisors and leaders are told by their own rules)."""
    day, in_office_hours = _duty_moment(event)
    if in_office_hours:
        return []
    department = order.department or order.unit
    return on_duty(department, day) or _nearest_leaders(department)


def recipients_for(kind: str, order: WorkOrder, event: WorkOrderEvent) -> list[User]:
    """The active users a rule's ``recipients`` kind (``Recipients``) names for this order and event."""
    payload = event.payload or {}
    if kind == Recipients.HOLDER:
        return _holder(order)
    if kind == Recipients.ASSIGNEE:
        return [order.assignee] if order.assignee_id and order.assignee.is_active else []
    if kind == Recipients.DISPATCHERS:
        return list(_covering(order, Role.DISPATCHER))
    if kind == Recipients.SUPERVISORS:
        return list(_covering(order, Role.SUPERVISOR))
    if kind == Recipients.AGENTS:
        received_by = order.received_by
        if received_by is not None and received_by.is_active and received_by.has_role(Role.AGENT):
            return [received_by]
        return list(_covering(order, Role.AGENT))
    if kind == Recipients.DEPARTMENT_LEADERS:
        return _nearest_leaders(order.department or order.unit)
    if kind == Recipients.UNIT_LEADERS:
        return _nearest_leaders(order.unit)
    if kind == Recipients.ESCALATION_LEADERS:
        level = _escalation_level(payload)
        # The deadline engine's levels: 1 is the breach at the handling department itself,
        # 2 its parent, 3 the next one up (workorders.deadlines.engine.department_at).
        return _nearest_leaders(order.department or order.unit, skip=level - 1)
    if kind == Recipients.DUTY:
        return _duty(order, event)
    if kind == Recipients.ASSISTING:
        pending = order.assists.filter(state="pending").values("department")
        return list(_with_role(Role.HANDLER).filter(department__in=pending))
    return []


def recipients_key(kind: str, order: WorkOrder, event: WorkOrderEvent) -> tuple:
    """Everything ``recipients_for(kind, order, event)`` depends on: two events with the same key
    have the same recipients, so a batch (the sweep's) looks each key up once."""
    unit, department = order.unit_id, order.department_id
    if kind in (Recipients.HOLDER, Recipients.ASSIGNEE):
        return (kind, order.assignee_id, department)
    if kind == Recipients.AGENTS:
        return (kind, order.received_by_id, unit)
    if kind == Recipients.ESCALATION_LEADERS:
        return (kind, department or unit, _escalation_level(event.payload or {}))
    if kind == Recipients.DUTY:
        return (kind, department or unit, *_duty_moment(event))
    if kind in (Recipients.DEPARTMENT_LEADERS, Recipients.UNIT_LEADERS):
        return (kind, department or unit, unit)
    if kind == Recipients.ASSISTING:
        return (kind, order.pk)
    return (kind, unit, department)


class RecipientsMemo:
    """``recipients_for`` remembered per ``recipients_key`` for the length of one batch."""

    def __init__(self):
        self.found: dict[tuple, list[User]] = {}

    def __call__(self, kind: str, order: WorkOrder, event: WorkOrderEvent) -> list[User]:
        key = recipients_key(kind, order, event)
        if key not in self.found:
            self.found[key] = recipients_for(kind, order, event)
        return self.found[key]


def inbox_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("order").order_by("-created_at", "-id")


def inbox_groups(user: User, *, only_unread: bool = False) -> QuerySet:
    """The user's inbox grouped by order, latest activity first: dicts of ``order_id`` (None for
    items about no order), ``latest``, ``total`` and ``unread``. Read on the ``notify_inbox`` index
    (user first): its cost follows the user's inbox, which retention keeps bounded."""
    groups = (
        Notification.objects.filter(user=user)
        .values("order_id")
        .annotate(
            latest=Max("created_at"),
            total=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True)),
        )
        .order_by("-latest", "-order_id")
    )
    return groups.filter(unread__gt=0) if only_unread else groups


def inbox_group_items(user: User, groups: list[dict], *, per_group: int) -> list[dict]:
    """``groups`` (from ``inbox_groups``) with their order and newest ``per_group`` items each."""
    order_ids = [g["order_id"] for g in groups if g["order_id"] is not None]
    q = Q(order_id__in=order_ids)
    if any(g["order_id"] is None for g in groups):
        q |= Q(order__isnull=True)
    by_order: dict = {}
    for item in inbox_for(user).filter(q):
        by_order.setdefault(item.order_id, []).append(item)
    result = []
    for group in groups:
        items = by_order.get(group["order_id"], [])
        result.append(
            {
                **group,
                "order": items[0].order if items else None,
                "items": items[:per_group],
                "more": max(group["total"] - per_group, 0),
            }
        )
    return result


def unread_count(user: User | AnonymousUser) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_due(*, now: datetime, limit: int) -> list[int]:
    return list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
