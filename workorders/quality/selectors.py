"""Reads of quality inspections, always through the caller's scope."""

from datetime import date, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

from ..selectors import handler_department_ids, workorders_visible_to
from .models import RESULT_STATES, Inspection, InspectionState

INSPECTOR_ROLES = (Role.SUPERVISOR,)
DECIDER_ROLES = (Role.MANAGER,)


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    """Supervisors and managers: every inspection of an order in their scope; an agent: their own
    results; a handler: the results of their departments. Pending inspections are shown only to
    supervisors and managers (the inspected party sees a result once it is scored)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Inspection.objects.none()
    if user.has_role(Role.ADMIN):
        return Inspection.objects.all()
    q = Q(agent=user, state__in=RESULT_STATES)
    handled = sorted(handler_department_ids(user))
    if handled:
        q |= Q(department__in=handled, state__in=RESULT_STATES)
    if user.has_role(*INSPECTOR_ROLES, *DECIDER_ROLES):
        orders = workorders_visible_to(user)
        if not orders.query.where:  # covers every department: no predicate at all
            return Inspection.objects.all()
        q |= Q(order__in=orders.values("pk"))
    return Inspection.objects.filter(q)


def inspection_list(user: User) -> QuerySet[Inspection]:
    return inspections_visible_to(user).select_related(
        "round", "order", "agent", "department", "inspector", "appeal"
    )


def inspection_get(user: User, pk) -> Inspection | None:
    try:
        return inspection_list(user).get(pk=int(pk))
    except (Inspection.DoesNotExist, ValueError, TypeError, OverflowError):
        return None


def is_inspected_party(user: User, inspection: Inspection) -> bool:
    if inspection.agent_id is not None and inspection.agent_id == user.pk:
        return True
    return inspection.department_id is not None and inspection.department_id in handler_department_ids(user)


def can_score(user: User, inspection: Inspection) -> bool:
    return (
        inspection.state == InspectionState.PENDING
        and user.has_role(*INSPECTOR_ROLES, Role.ADMIN)
        and inspection.agent_id != user.pk
    )


def can_appeal(user: User, inspection: Inspection) -> bool:
    return (
        inspection.state == InspectionState.SCORED
        and not hasattr_appeal(inspection)
        and is_inspected_party(user, inspection)
    )


def can_decide(user: User, inspection: Inspection) -> bool:
    return (
        inspection.state == InspectionState.APPEALED
        and user.has_role(*DECIDER_ROLES, Role.ADMIN)
        and not is_inspected_party(user, inspection)
    )


def hasattr_appeal(inspection: Inspection) -> bool:
    try:
        return inspection.appeal is not None
    except Inspection.appeal.RelatedObjectDoesNotExist:
        return False


def quality_trends(user: User, *, weeks: int = 8, today: date | None = None) -> dict:
    """Average total per week, per person and week, per department and week, over the last
    ``weeks`` weeks of rounds, from aggregate queries over the inspections in the user's scope."""
    today = today or timezone.localdate()
    since = today - timedelta(weeks=weeks)
    base = inspections_visible_to(user).filter(state__in=RESULT_STATES, round__week_start__gte=since)
    by_week = list(
        base.values("round__week")
        .annotate(
            avg=Avg("total"),
            n=Count("id"),
            appealed=Count("appeal"),
        )
        .order_by("-round__week")
    )
    week_labels = [row["round__week"] for row in by_week]

    def matrix(key, label_fields):
        rows = (
            base.exclude(**{f"{key}__isnull": True})
            .values(key, *label_fields, "round__week")
            .annotate(avg=Avg("total"), n=Count("id"))
            .order_by(key)
        )
        table: dict = {}
        for row in rows:
            entry = table.setdefault(
                row[key],
                {"id": row[key], "label": _label(row, label_fields), "weeks": {}, "n": 0, "sum": 0.0},
            )
            entry["weeks"][row["round__week"]] = row["avg"]
            entry["n"] += row["n"]
            entry["sum"] += float(row["avg"] or 0) * row["n"]
        out = []
        for entry in table.values():
            entry["avg"] = entry["sum"] / entry["n"] if entry["n"] else None
            entry["cells"] = [entry["weeks"].get(w) for w in week_labels]
            out.append(entry)
        out.sort(key=lambda e: e["label"])
        return out

    return {
        "weeks": week_labels,
        "by_week": by_week,
        "by_person": matrix("agent", ["agent__display_name", "agent__username"]),
        "by_department": matrix("department", ["department__name"]),
    }


def _label(row, fields):
    for f in fields:
        if row.get(f):
            return row[f]
    return "—"
