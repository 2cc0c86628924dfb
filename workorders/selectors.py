"""Reads of work orders, always through the caller's scope."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.roles import COMPANY_ROLES, Role
from accounts.selectors import user_covered_departments, user_covers_every_department

from .models import Assignment, Status, WorkOrder, WorkOrderEvent


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
        covered = user_covered_departments(user, roles=COMPANY_ROLES)
        if user_covers_every_department(user, roles=COMPANY_ROLES):
            # Covers every department (one company, seen from its root): no predicate at all,
            # so the planner walks the list's own index instead of testing each row's scope.
            return WorkOrder.objects.all()
        covered = covered.values("pk")
        q |= Q(unit__in=covered) | Q(department__in=covered)
    if user.has_role(Role.HANDLER):
        handled = user_covered_departments(user, roles=[Role.HANDLER]).values("pk")
        q |= Exists(Assignment.objects.filter(order=OuterRef("pk"), department__in=handled))
    return WorkOrder.objects.filter(q)


def handler_department_ids(user: User) -> set[int]:
    if not user.has_role(Role.HANDLER):
        return set()
    return set(user_covered_departments(user, roles=[Role.HANDLER]).values_list("pk", flat=True))


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


def workorder_list(user: User) -> QuerySet[WorkOrder]:
    return workorders_visible_to(user).select_related(
        "category",
        "department",
        "assignee",
        "unit",
        "customer",
        "complaint",
    )


def workorder_get(user: User, pk) -> WorkOrder | None:
    return workorder_list(user).filter(pk=pk).first()


def workorder_events(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return order.events.select_related("actor").order_by("created_at", "id")
