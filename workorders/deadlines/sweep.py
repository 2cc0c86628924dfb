"""The deadline sweep: what beat runs every minute.

``sweep(now)`` claims rows whose ``next_at`` has come with ``FOR UPDATE SKIP LOCKED`` (deadline row
and order row together, so it never waits for a transition and a transition never deadlocks with
it) in bounded batches, and records reminders, breaches and escalations as system events
(``deadline_warning``, ``deadline_breached``, ``deadline_escalated``), a batch's events with one
INSERT through the lifecycle's event writer, whose hooks turn them into messages.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ..lifecycle import NewEvent, perform, write_events
from ..models import Deadline, Level, OrderSla, Status, WorkOrder
from .calendar import WorkCalendar, get_calendar
from .engine import (
    department_at,
    escalation_time,
    is_urgent,
    max_escalation_level,
    next_check,
    release_hold,
    round_the_clock,
    sync_next_due_many,
)

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    claimed: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    batches: int = 0
    more: bool = False
    level_ups: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "claimed": self.claimed,
            "warnings": self.warnings,
            "breaches": self.breaches,
            "escalations": self.escalations,
            "batches": self.batches,
            "more": self.more,
        }


def advance(row: Deadline, order: WorkOrder, *, now: datetime, cal: WorkCalendar) -> list[tuple[str, dict]]:
    """Do what is due on one claimed row; returns the events to record.

    A round-the-clock limit (calendar time) is announced when it breaches, like an urgent order's;
    a working-time limit's breach alert and escalations wait for office hours. A held row (an
    extension request waits for its decision) runs again at its ceiling, the regulatory limit.
    """
    urgent = is_urgent(order) or round_the_clock(row.limit_unit)
    events = []

    def payload(**extra):
        return {
            "stage": row.stage,
            "due_at": row.due_at.isoformat(),
            "deadline": row.pk,
            "cycle": row.cycle,
            **extra,
        }

    if row.held_since is not None:
        if row.held_until is None or now < row.held_until:
            row.next_at = row.held_until
            return events
        release_hold(row, now=now)
    if row.breached_at is None and now < row.due_at:
        reminders = []
        if row.warned_at is None and row.warn_at is not None and row.warn_at <= now:
            row.warned_at = now
            reminders.append("share")
        if row.reminded_at is None and row.remind_at is not None and row.remind_at <= now:
            row.reminded_at = now
            reminders.append("day_before")
        if reminders:
            events.append(("deadline_warning", payload(reminders=reminders)))
    if row.breached_at is None and now >= row.due_at:
        row.breached_at = now
        row.escalation_level = 1
    if (
        row.breached_at is not None
        and row.breach_notified_at is None
        and (urgent or cal.in_working_hours(now))
    ):
        row.breach_notified_at = now
        events.append(("deadline_breached", payload(escalation_level=1, department=department_at(order, 1))))
    while row.breach_notified_at is not None and row.escalation_level < max_escalation_level():
        level = row.escalation_level + 1
        moment = escalation_time(cal, row, level)
        if moment is None or now < moment or not (urgent or cal.in_working_hours(now)):
            break
        row.escalation_level, row.escalated_at = level, now
        events.append(
            ("deadline_escalated", payload(escalation_level=level, department=department_at(order, level)))
        )
    row.next_at = next_check(row, urgent=urgent, cal=cal)
    if row.next_at is not None and row.next_at <= now:
        # Waiting for something not yet possible (cannot happen for a consistent row): look again later.
        row.next_at = now + timedelta(minutes=1)
    return events


def grouped(pending: list[tuple[WorkOrder, str, dict]]) -> list[tuple[WorkOrder, str, dict]]:
    """One event per order, action and escalation level: the contact, reply, overall and regulatory
    deadlines of an order that breach in the same sweep make one alert that lists the stages
    (``stages``, ``deadlines``); ``stage``, ``deadline`` and ``due_at`` are the earliest due."""
    groups: dict[tuple, list] = {}
    for order, action, data in pending:
        groups.setdefault((order.pk, action, data.get("escalation_level")), []).append((order, action, data))
    events = []
    for members in groups.values():
        members.sort(key=lambda member: member[2]["due_at"])
        order, action, first = members[0]
        data = dict(first)
        data["stages"] = list(dict.fromkeys(member[2]["stage"] for member in members))
        data["deadlines"] = [member[2]["deadline"] for member in members]
        reminders = sorted({r for member in members for r in member[2].get("reminders", ())})
        if reminders:
            data["reminders"] = reminders
        events.append((order, action, data))
    return events


SWEEP_FIELDS = [
    "warned_at",
    "breached_at",
    "breach_notified_at",
    "escalation_level",
    "escalated_at",
    "reminded_at",
    "held_since",
    "held_until",
    "paused_seconds",
    "next_at",
]


def _save_swept(rows: list[Deadline]) -> None:
    """Write the sweep's fields of every claimed row in one statement (bulk_update's CASE chains cost
    more Python time than the sweep itself)."""
    if connection.vendor != "postgresql":
        Deadline.objects.bulk_update(rows, SWEEP_FIELDS, batch_size=500)
        return
    casts = {"escalation_level": "integer", "paused_seconds": "integer"}
    columns = ", ".join(SWEEP_FIELDS)
    placeholder = (
        "(%s::bigint, " + ", ".join(f"%s::{casts.get(f, 'timestamptz')}" for f in SWEEP_FIELDS) + ")"
    )
    values, params = [], []
    for row in rows:
        values.append(placeholder)
        params.append(row.pk)
        params.extend(getattr(row, f) for f in SWEEP_FIELDS)
    assignments = ", ".join(f"{f} = v.{f}" for f in SWEEP_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} AS d SET {assignments} "
            f"FROM (VALUES {', '.join(values)}) AS v(id, {columns}) WHERE d.id = v.id",
            params,
        )


def _claim(now: datetime, batch_size: int) -> list[Deadline]:
    qs = (
        Deadline.objects.filter(next_at__lte=now)
        .order_by("next_at", "pk")
        .select_related("order", "order__department", "order__unit", "order__assignee", "order__received_by")
    )
    features = connection.features
    if features.has_select_for_update_skip_locked:
        kwargs = {"skip_locked": True}
        if features.has_select_for_update_of:
            kwargs["of"] = ("self", "order")
        qs = qs.select_for_update(**kwargs)
    # Without SKIP LOCKED (SQLite) the IMMEDIATE transaction serialises sweeps instead.
    return list(qs[:batch_size])


def sweep_batch(*, now: datetime, batch_size: int, result: SweepResult) -> int:
    """One batch in one transaction: claim, advance, save, record the events; the rows claimed."""
    cal = get_calendar()
    with transaction.atomic():
        rows = _claim(now, batch_size)
        if not rows:
            return 0
        pending = []
        newly_breached = {}
        released = set()
        for row in rows:
            was_breached, was_held = row.breached_at is not None, row.held_since is not None
            events = advance(row, row.order, now=now, cal=cal)
            if not was_breached and row.breached_at is not None:
                newly_breached[row.order_id] = newly_breached.get(row.order_id, 0) + 1
            if was_held and row.held_since is None:
                released.add(row.order_id)
            pending.extend((row.order, action, data) for action, data in events)
        pending = grouped(pending)
        _save_swept(rows)
        if released:  # a hold that reached its ceiling runs again: the queues sort on it
            sync_next_due_many(released)
        if newly_breached:
            WorkOrder.objects.filter(pk__in=list(newly_breached), is_overdue=False).update(is_overdue=True)
            for row in rows:
                if row.order_id in newly_breached:
                    row.order.is_overdue = True
            # A breach whose alert waits for office hours is still a fact now: record it, so every
            # concern (the statistics' overdue count) sees the order overdue at once.
            alerted = {order.pk for order, action, _data in pending if action == "deadline_breached"}
            for row in rows:
                if row.order_id in newly_breached and row.order_id not in alerted:
                    alerted.add(row.order_id)
                    stage = {"stage": row.stage, "due_at": row.due_at.isoformat(), "deadline": row.pk}
                    pending.append((row.order, "deadline_overdue", stage))
        # What record_system_event does, for a whole batch: one INSERT, then the hooks per event.
        write_events(
            [NewEvent(order, action, payload=data) for order, action, data in pending], now=now, batch=True
        )
        for _order, action, _data in pending:
            if action == "deadline_warning":
                result.warnings += 1
            elif action == "deadline_breached":
                result.breaches += 1
            elif action == "deadline_escalated":
                result.escalations += 1
        result.level_ups.extend(_mark_level_ups(newly_breached))
        result.claimed += len(rows)
        result.batches += 1
        return len(rows)


def _mark_level_ups(newly_breached: dict) -> list[int]:
    """Repeated breaches raise the level (design.md): mark orders reaching the threshold now."""
    threshold = getattr(settings, "DEADLINE_LEVEL_UP_AFTER_BREACHES", 2)
    if not threshold or not newly_breached:
        return []
    totals = dict(
        Deadline.objects.filter(order_id__in=list(newly_breached), breached_at__isnull=False)
        .values("order_id")
        .annotate(n=Count("pk"))
        .values_list("order_id", "n")
    )
    ids = [
        oid
        for oid, new in newly_breached.items()
        if totals.get(oid, 0) - new < threshold <= totals.get(oid, 0)
    ]
    if ids:
        OrderSla.objects.filter(order_id__in=ids).update(level_up_pending=True)
        transaction.on_commit(lambda: publish_level_ups(ids))
    return ids


def publish_level_ups(order_ids: list[int]) -> bool:
    """Ask a worker to raise the levels of these marked orders: one message for the batch (a message
    per order cost the sweep more than its own SQL). False (logged) when the broker cannot be
    reached: the marks stay (``level_up_pending``) and the next breach of the order, or
    ``raise_pending_level_ups``, raises them."""
    # A real cycle: the task module calls back into this one.
    from .tasks import raise_levels_after_breaches  # noqa: PLC0415

    try:
        raise_levels_after_breaches.delay(list(order_ids))
    except Exception as exc:  # noqa: BLE001 - the broker is down: the sweep itself committed
        logger.warning(
            "Could not queue the level rise of %d orders (%s); they stay marked", len(order_ids), exc
        )
        return False
    return True


def raise_pending_level_ups() -> int:
    """Raise every order still marked (its message was lost); the number raised."""
    ids = list(OrderSla.objects.filter(level_up_pending=True).values_list("order_id", flat=True))
    return sum(raise_level_for_breaches(oid) for oid in ids)


def sweep(
    *, now: datetime | None = None, batch_size: int | None = None, max_batches: int | None = None
) -> SweepResult:
    """One sweep as of ``now``: bounded batches, each its own transaction."""
    now = now or timezone.now()
    batch_size = batch_size or getattr(settings, "DEADLINE_SWEEP_BATCH", 500)
    max_batches = max_batches or getattr(settings, "DEADLINE_SWEEP_MAX_BATCHES", 20)
    result = SweepResult()
    for _batch in range(max_batches):
        if sweep_batch(now=now, batch_size=batch_size, result=result) < batch_size:
            return result
    result.more = Deadline.objects.filter(next_at__lte=now).exists()
    return result


def raise_level_for_breaches(order_id: int) -> bool:
    """Raise the level of an order marked by the sweep (idempotent: the mark is cleared once)."""
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().filter(pk=order_id).first()
        sla = OrderSla.objects.select_for_update().filter(order_id=order_id, level_up_pending=True).first()
        if order is None or sla is None:
            return False
        OrderSla.objects.filter(pk=sla.pk).update(level_up_pending=False)
        if order.status == Status.CLOSED or order.level == Level.SPECIAL:
            return False
        perform(
            order_id,
            "escalate",
            actor=None,
            data={"comment": _("Raised automatically: the order missed its deadlines repeatedly.")},
        )
        return True
