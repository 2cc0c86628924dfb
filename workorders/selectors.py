"""Reads of work orders, always through the caller's scope."""

from datetime import timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import COMPANY_ROLES, Role
from accounts.selectors import (
    user_covered_department_ids,
    user_covered_departments,
    user_covers_every_department,
)
from complaints.models import Customer

from .models import Assignment, Attachment, Status, WorkOrder, WorkOrderEvent


def workorders_visible_to(user: User) -> QuerySet[WorkOrder]:
    """Every order the user may see; anything else is answered 404.

    Agents, dispatchers, supervisors and managers see the orders of the units and departments
    they cover; handlers see the orders that are or were assigned to their department.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return WorkOrder.objects.none()
    if user.has_role(Role.ADMIN):
        return WorkOrder.objects.all()
    q = Q(pk__in=[])
    if user.has_role(*COMPANY_ROLES):
        if user_covers_every_department(user, roles=COMPANY_ROLES):
            # Covers every department (one company, seen from its root): no predicate at all,
            # so the planner walks the list's own index instead of testing each row's scope.
            return WorkOrder.objects.all()
        covered = sorted(user_covered_department_ids(user, roles=COMPANY_ROLES))
        q |= Q(unit__in=covered) | Q(department__in=covered)
    if user.has_role(Role.HANDLER):
        handled = sorted(handler_department_ids(user))
        q |= Exists(Assignment.objects.filter(order=OuterRef("pk"), department__in=handled))
    return WorkOrder.objects.filter(q)


def handler_department_ids(user: User) -> frozenset[int]:
    if not user.has_role(Role.HANDLER):
        return frozenset()
    return user_covered_department_ids(user, roles=[Role.HANDLER])


def is_handling_department(user: User, order: WorkOrder) -> bool:
    """True when the order now sits with a department this user handles for."""
    return order.department_id is not None and order.department_id in handler_department_ids(user)


def contact_visible(user: User, order: WorkOrder, *, handler_depts: set[int] | None = None) -> bool:
    """Handlers see the customer's phone and address only while the order is theirs to handle."""
    if user.has_role(Role.ADMIN, *COMPANY_ROLES):
        return True
    if handler_depts is None:
        handler_depts = handler_department_ids(user)
    return order.status != Status.CLOSED and order.department_id in handler_depts


# ``contact_visible_filter``'s answer for a user who sees the contacts masked on every order.
CONTACT_SHOWN_NOWHERE = Q(pk__in=[])


def contact_visible_filter(user: User | None) -> Q | None:
    """``contact_visible`` as a filter: the orders on which this user sees the customer's phone and
    address; None when they see them on every order. A search must not match a masked part of them
    (issue 13): where this is not None, it matches the address only on these orders and a phone
    only in full. Without a user, contacts count as masked everywhere."""
    if user is not None and user.is_authenticated and user.has_role(Role.ADMIN, *COMPANY_ROLES):
        return None
    handled = sorted(handler_department_ids(user)) if user is not None and user.is_authenticated else []
    if not handled:
        return CONTACT_SHOWN_NOWHERE
    return Q(department__in=handled) & ~Q(status=Status.CLOSED)


def customers_for(user: User | None) -> QuerySet[Customer]:
    """Every customer record the user may open (lookup, customer page, search); others are 404.

    Administrators see every customer. Agents and dispatchers see the customers of their company,
    supervisors and managers those of their subtree: a customer whose supply unit they cover or
    who has an order whose unit or handling department they cover, so every order
    ``workorders_visible_to`` shows them leads to a customer they may open. Handlers reach
    customers only through their orders: no records here.

    The orders are an EXISTS probing the orders' customer index per customer (a lookup finds a few
    customers first), never a list of the scope's orders (``tests/workorders/test_explain.py``).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Customer.objects.none()
    if user.has_role(Role.ADMIN):
        return Customer.objects.all()
    if not user.has_role(*COMPANY_ROLES):
        return Customer.objects.none()
    if user_covers_every_department(user, roles=COMPANY_ROLES):
        return Customer.objects.all()
    covered = sorted(user_covered_department_ids(user, roles=COMPANY_ROLES))
    if not covered:
        return Customer.objects.none()
    in_scope = WorkOrder.objects.filter(
        Q(unit__in=covered) | Q(department__in=covered), customer=OuterRef("pk")
    )
    return Customer.objects.filter(Q(supply_unit__in=covered) | Exists(in_scope))


# The small rows a list shows by name: fetched by id, one query each, after the page.
LIST_REFS = ("category", "unit", "department", "assignee")


def workorder_list(user: User) -> QuerySet[WorkOrder]:
    """The orders in the user's scope with what a list row shows.

    Only the complaint is joined. PostgreSQL's planner searches join orders exhaustively: at
    1,000,000 orders the page query joining all seven tables took 10–16 ms to plan and 0.5 ms to
    run; joined to the complaint alone it plans in 0.2 ms. The reference rows (category, unit,
    department, assignee) come by id with ``prefetch_related``, one small query each.
    """
    return workorders_visible_to(user).select_related("complaint").prefetch_related(*LIST_REFS)


def workorder_get(user: User, pk) -> WorkOrder | None:
    return workorder_list(user).select_related("customer").filter(pk=pk).first()


def attachment_get(user: User, pk) -> Attachment | None:
    """An attachment of an order the user may see (``workorders_visible_to``); None for any other,
    which is answered 404 like the order itself."""
    return (
        Attachment.objects.filter(pk=pk, order__in=workorders_visible_to(user).values("pk"))
        .select_related("order")
        .first()
    )


def workorder_events(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return order.events.select_related("actor").order_by("created_at", "id")


# --- triage (issue 14) ---------------------------------------------------------------------------

SUGGESTION_DAYS = 90


def department_suggestion(
    *, unit_id: int | None, category_id: int | None, user: User | None = None, now=None
) -> dict | None:
    """The department most often assigned in the last ``SUGGESTION_DAYS`` days for orders of this
    supply unit and category: ``{"department": Department, "count": n}``, or None when there is
    no such assignment (or none the user may route to). A suggestion for the dispatcher to take
    or leave; nothing applies it by itself. Ties go to the department assigned most recently."""
    if unit_id is None or category_id is None:
        return None
    best = suggestion_counts(unit_id=unit_id, category_id=category_id, user=user, now=now).first()
    if best is None:
        return None
    return {"department": Department.objects.get(pk=best["department"]), "count": best["n"]}


# The suggestion learns from at most this many of the unit's latest orders of the category.
SUGGESTION_ORDERS = 2000


def suggestion_counts(*, unit_id: int, category_id: int, user: User | None = None, now=None) -> QuerySet:
    """The assignments of the window per department, most first (``department_suggestion``).

    Ids first, as the list filters do: the unit's latest orders of the category received in the
    window (its ``(unit, received_at)`` index, at most ``SUGGESTION_ORDERS``; an order received
    earlier and assigned again within the window, after a return or a reopen, does not count),
    then their assignments by order id (a join let PostgreSQL hash every assignment)."""
    since = (now or timezone.now()) - timedelta(days=SUGGESTION_DAYS)
    orders = list(
        WorkOrder.objects.filter(unit_id=unit_id, received_at__gte=since, category_id=category_id)
        .order_by("-received_at", "-id")
        .values_list("pk", flat=True)[:SUGGESTION_ORDERS]
    )
    rows = (
        Assignment.objects.filter(order_id__in=orders, assigned_at__gte=since, department__is_active=True)
        .exclude(department__kind=Department.Kind.COMPANY)
        .values("department")
        .annotate(n=Count("pk"), last=Max("assigned_at"))
        .order_by("-n", "-last", "department")
    )
    if user is not None and not user.has_role(Role.ADMIN):
        rows = rows.filter(department__in=sorted(user_covered_department_ids(user)))
    return rows


def handlers_by_department(user: User) -> dict[str, list[list[str]]]:
    """The active handlers the user may assign, per department they may route to: a handler
    belongs to their own department and every department above it in the user's scope (the
    assign action's rule: the handler's department lies under the chosen one). Keys and ids are
    strings, for a JSON the page's script filters the handler list with."""
    covered = list(user_covered_departments(user).filter(is_active=True).only("pk", "path"))
    handlers = (
        User.objects.filter(is_active=True, groups__name=Role.HANDLER, department__in=[d.pk for d in covered])
        .select_related("department")
        .order_by("department__path", "username")
    )
    out: dict[str, list[list[str]]] = {str(d.pk): [] for d in covered}
    for handler in handlers:
        for dept in covered:
            if handler.department.path.startswith(dept.path):
                out[str(dept.pk)].append([str(handler.pk), f"{handler} · {handler.department}"])
    return out
