"""Outage events: the reads (suggestions, the orders under an outage, counts per outage).

The matching rule is ``services``' docstring's: a place of the area in the complaint's address or
content, and the complaint received in ``started_at - 2 h`` … ``(restored_at or expected_restore_at
or now) + 24 h``.
"""

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_covered_department_ids, user_covers_every_department
from workorders.models import Status, WorkOrder
from workorders.selectors import workorders_visible_to

from .models import OutageEvent, OutageLink

BEFORE = timedelta(hours=2)
AFTER = timedelta(hours=24)
LOOKBACK = timedelta(days=30)  # outages that started longer before a complaint are not searched


def window(outage: OutageEvent, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    end = outage.restored_at or outage.expected_restore_at or now or timezone.now()
    return outage.started_at - BEFORE, max(end, outage.started_at) + AFTER


def _score(outage: OutageEvent, address: str, content: str) -> int:
    text = f"{address}\n{content}"
    return sum(1 for place in outage.places if place in text)


def outages_for_complaint(
    *, address: str, content: str, received_at: datetime | None = None, now: datetime | None = None
) -> list[tuple[OutageEvent, int]]:
    """The outages a complaint (its address, content, receipt time) looks caused by, best first."""
    now = now or timezone.now()
    received_at = received_at or now
    candidates = OutageEvent.objects.filter(
        started_at__lte=received_at + BEFORE, started_at__gte=received_at - LOOKBACK
    ).select_related("unit")
    found = []
    for outage in candidates:
        start, end = window(outage, now=now)
        if not (start <= received_at <= end):
            continue
        score = _score(outage, address or "", content or "")
        if score:
            found.append((outage, score))
    found.sort(key=lambda pair: (-pair[1], -pair[0].started_at.timestamp()))
    return found


def orders_matching_outage(
    outage: OutageEvent, *, now: datetime | None = None, order_ids=None, scope: QuerySet | None = None
) -> list[tuple[int, int]]:
    """(order id, score) of the orders whose complaint matches the outage's places and window."""
    places = outage.places
    if not places:
        return []
    start, end = window(outage, now=now)
    text = Q()
    for place in places:
        text |= Q(complaint__address__contains=place) | Q(complaint__content__contains=place)
    orders = (scope if scope is not None else WorkOrder.objects.all()).filter(
        text, complaint__received_at__gte=start, complaint__received_at__lte=end
    )
    if order_ids is not None:
        orders = orders.filter(pk__in=order_ids)
    rows = orders.values_list("pk", "complaint__address", "complaint__content")[:500]
    return [(pk, _score(outage, address, content)) for pk, address, content in rows]


def outage_list(user: User) -> QuerySet[OutageEvent]:
    """Every outage, newest first, with the number of confirmed orders the user may see."""
    return OutageEvent.objects.select_related("unit").order_by("-started_at", "-pk")


def linked_counts(user: User, outages) -> dict[int, dict]:
    """Per outage: the confirmed orders the user may see, in total, open and per status, and the
    suggested links still waiting for a dispatcher."""
    ids = [o.pk for o in outages]
    scope = workorders_visible_to(user)
    rows = (
        OutageLink.objects.filter(outage__in=ids, confirmed=True, order__in=scope)
        .values("outage_id", "order__status")
        .annotate(n=Count("pk"))
    )
    counts = {pk: {"total": 0, "open": 0, "by_status": {}, "suggested": 0} for pk in ids}
    waiting = (
        OutageLink.objects.filter(outage__in=ids, confirmed=False, order__in=scope)
        .values("outage_id")
        .annotate(n=Count("pk"))
    )
    for row in waiting:
        counts[row["outage_id"]]["suggested"] = row["n"]
    for row in rows:
        c = counts[row["outage_id"]]
        c["total"] += row["n"]
        c["by_status"][row["order__status"]] = row["n"]
        if row["order__status"] != Status.CLOSED:
            c["open"] += row["n"]
    return counts


def outages_in_period(user: User, date_from, date_to, *, limit: int = 8) -> list[dict]:
    """The dashboard's outage card: the outages that started in the period (local days), most
    complaints first, each with the confirmed orders the user may see (total and still open). An
    outage of a unit the reader does not cover, with none of their orders, is not theirs to list."""
    outages = list(
        OutageEvent.objects.filter(started_at__date__gte=date_from, started_at__date__lte=date_to)
        .select_related("unit")
        .order_by("-started_at", "-pk")[:200]
    )
    counts = linked_counts(user, outages)
    every = user_covers_every_department(user)
    covered = frozenset() if every else user_covered_department_ids(user)
    rows = [
        {"outage": o, **counts[o.pk]}
        for o in outages
        if every or o.unit_id in covered or counts[o.pk]["total"] or counts[o.pk]["suggested"]
    ]
    rows.sort(key=lambda r: (-r["total"], -r["outage"].started_at.timestamp()))
    return rows[:limit]


def outage_orders(user: User, outage: OutageEvent, *, confirmed: bool) -> QuerySet[WorkOrder]:
    """The outage's linked orders (confirmed, or suggested and waiting) that the user may see."""
    links = OutageLink.objects.filter(outage=outage, confirmed=confirmed)
    return (
        workorders_visible_to(user)
        .filter(outage_links__in=links)
        .select_related("complaint", "department", "assignee")
        .order_by("pk")
        .distinct()
    )


def outage_related(user: User, outage: OutageEvent, *, now=None) -> list[WorkOrder]:
    """Orders that look related (stored suggestions and current matches) and are not confirmed yet."""
    scope = workorders_visible_to(user)
    confirmed = OutageLink.objects.filter(outage=outage, confirmed=True).values("order_id")
    matching = [
        pk for pk, _s in orders_matching_outage(outage, now=now, scope=scope.exclude(pk__in=confirmed))
    ]
    stored = OutageLink.objects.filter(outage=outage, confirmed=False).values_list("order_id", flat=True)
    ids = set(matching) | set(scope.filter(pk__in=stored).values_list("pk", flat=True))
    return list(WorkOrder.objects.filter(pk__in=ids).select_related("complaint", "department").order_by("pk"))


def order_outages(user: User, order: WorkOrder, *, now=None) -> dict:
    """For the order page: the outages it is linked to, and those it looks caused by (not linked)."""
    links = list(OutageLink.objects.filter(order=order, confirmed=True).select_related("outage"))
    linked = [link.outage for link in links]
    complaint = order.complaint
    suggested = [
        outage
        for outage, _score in outages_for_complaint(
            address=complaint.address, content=complaint.content, received_at=complaint.received_at, now=now
        )
        if outage.pk not in {o.pk for o in linked}
    ]
    return {"linked": linked, "suggested": suggested}
