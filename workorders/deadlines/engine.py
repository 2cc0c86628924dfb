"""The deadline engine: SLA resolution, one row's computation, and the operations on an order's rows.

``resolve_policy`` and ``freeze_sla`` pick and copy an order's limits; ``compute`` and ``next_check``
turn a limit into due, reminder and next-look times on the work calendar; ``open_row``, ``meet``,
``cancel_open``, ``recompute_open`` and ``open_classified`` change an order's ``Deadline`` rows.
What each lifecycle action does to the rows is declared per action in ``effects`` (the
transition hook); ``sweep`` records reminders, breaches and escalations.

Clock rules (domain.md §3, §8): customer-facing clocks (dispatch, contact, reply, overall,
regulatory) run from ``received_at`` and are not paused by returns; a rejected reply keeps its
deadline; a reopened order gets a new reply limit (``DEADLINE_REOPEN_REPLY_LIMIT``) and a new
callback; an approved extension moves the reply deadline to ``extended_until``; while an
extension request waits for a decision the reply row is held (no reminder, no breach).
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from complaints.models import Category

from ..models import (
    ChannelLimit,
    Deadline,
    LimitUnit,
    OrderSla,
    SlaPolicy,
    Stage,
    WorkCalendarYear,
    WorkOrder,
)
from .calendar import Flags, WorkCalendar, get_calendar

logger = logging.getLogger(__name__)

SPEC_UNITS = {
    "m": LimitUnit.MINUTES,
    "h": LimitUnit.HOURS,
    "cd": LimitUnit.CALENDAR_DAYS,
    "wh": LimitUnit.WORKING_HOURS,
    "wd": LimitUnit.WORKING_DAYS,
}
CLOCK_FROM_RECEIPT = {Stage.DISPATCH, Stage.CONTACT, Stage.REPLY, Stage.OVERALL, Stage.REGULATORY}
# Commitments counted in calendar time (the dispatch minutes, the 24-hour first contact) run around
# the clock: their reminders and breach alerts never wait for office hours (the duty person gets
# them at night and on holidays). Working-time limits may wait.
ROUND_THE_CLOCK_UNITS = {LimitUnit.MINUTES, LimitUnit.HOURS, LimitUnit.CALENDAR_DAYS}


def round_the_clock(unit: str) -> bool:
    return unit in ROUND_THE_CLOCK_UNITS


def parse_spec(spec: str) -> dict:
    """ "2wd" → {"value": 2, "unit": "working_days"} (m, h, cd, wh, wd)."""
    match = re.fullmatch(r"\s*(\d+)\s*(m|h|cd|wh|wd)\s*", spec or "")
    if not match:
        raise ValueError(f"bad limit {spec!r}: use a number and one of m, h, cd, wh, wd")
    return {"value": int(match.group(1)), "unit": str(SPEC_UNITS[match.group(2)])}


def urgent_levels() -> set[str]:
    return set(getattr(settings, "DEADLINE_URGENT_LEVELS", ["special", "major"]))


def escalation_steps() -> list[dict]:
    return [parse_spec(s) for s in getattr(settings, "DEADLINE_ESCALATION_AFTER", ["1wd", "6wd"])]


# --- policies --------------------------------------------------------------------------------------


def resolve_policy(*, level: str, category: Category | None = None, channel: str = "") -> SlaPolicy | None:
    """The most specific active policy: deeper category match first, then a channel match."""
    best, best_key = None, None
    for policy in SlaPolicy.objects.filter(is_active=True, level=level).select_related("category"):
        if policy.category_id:
            if category is None or not category.code.startswith(policy.category.code):
                continue
        if policy.channel and policy.channel != channel:
            continue
        key = (len(policy.category.code) if policy.category_id else 0, 1 if policy.channel else 0, -policy.pk)
        if best_key is None or key > best_key:
            best, best_key = policy, key
    return best


def channel_limit_for(channel: str) -> dict | None:
    """The channel's own reply limit (e.g. the regulator's hotline), if it has one."""
    row = ChannelLimit.objects.filter(channel=channel).first()
    return {"value": row.limit, "unit": row.unit} if row else None


def freeze_sla(order: WorkOrder, *, now: datetime) -> OrderSla:
    """Copy the applicable policy's limits onto the order (a later policy edit moves nothing)."""
    policy = resolve_policy(level=order.level, category=order.category, channel=order.channel)
    values = {
        "policy": policy,
        "level": order.level,
        "limits": policy.limits() if policy else {},
        "channel_limit": channel_limit_for(order.channel),
        "warn_share": float(policy.warn_share) if policy else 0.75,
        "frozen_at": now,
    }
    sla, _created = OrderSla.objects.update_or_create(order=order, defaults=values)
    return sla


# --- computing one row -----------------------------------------------------------------------------


@dataclass
class Computed:
    due_at: datetime
    warn_at: datetime | None
    basis: str
    provisional: bool
    limit: dict
    remind_at: datetime | None = None


def day_before_reminder(
    cal: WorkCalendar, start: datetime, due: datetime, unit: str, flags: Flags | None = None
) -> datetime | None:
    """The D-1 reminder of a working-day limit (domain.md A8): the start of office hours on the
    working day before the due day; None for other units, or when that is not after the start."""
    if unit != LimitUnit.WORKING_DAYS:
        return None
    day = cal.local(due).date()
    for _step in range(30):
        day -= timedelta(days=1)
        if cal.is_workday(day, flags):
            moment = cal.next_working_moment(cal.at(day, time.min), flags)
            return moment if start < moment < due else None
    return None  # pragma: no cover


def compute(
    *,
    cal: WorkCalendar,
    start: datetime,
    limit: dict,
    share: float,
    urgent: bool,
    basis: str = "policy",
    external: tuple | None = None,
) -> Computed:
    """Due and reminder times for a limit counted from ``start``.

    ``external`` = (start, limit) of a channel's own limit: the earlier deadline wins.
    A reminder of a non-urgent order on a working-time limit is moved into office hours (to the
    last office minute before the raw reminder time when the next office hours would be too late);
    a round-the-clock limit's reminder is sent when it falls, on a Saturday too. A working-day
    limit also gets the day-before reminder.
    """
    flags = Flags()
    due = cal.add_limit(start, limit["value"], limit["unit"], flags)
    if external is not None:
        ext_due = cal.add_limit(external[0], external[1]["value"], external[1]["unit"], flags)
        if ext_due < due:
            due, limit, basis, start = ext_due, external[1], "channel", external[0]
    warn = cal.warn_moment(start, due, limit["unit"], share, flags) if share and share < 1 else None
    if warn is not None and not urgent and not round_the_clock(limit["unit"]):
        gated = cal.next_working_moment(warn, flags)
        if gated >= due:
            gated = cal.last_working_moment_before(warn, flags)
            if gated is not None and gated <= start:
                gated = None
        warn = gated
    remind = day_before_reminder(cal, start, due, limit["unit"], flags)
    if remind is not None and remind == warn:
        remind = None
    return Computed(
        due_at=due, warn_at=warn, basis=basis, provisional=flags.provisional, limit=limit, remind_at=remind
    )


def escalation_time(cal: WorkCalendar, row: Deadline, level: int) -> datetime | None:
    """When escalation ``level`` (2, 3, …) falls due: the configured offset after the due time."""
    steps = escalation_steps()
    index = level - 2
    if index < 0 or index >= len(steps):
        return None
    return cal.add_limit(row.due_at, steps[index]["value"], steps[index]["unit"])


def max_escalation_level() -> int:
    return 1 + len(escalation_steps())


def pending_reminders(row: Deadline) -> list[datetime]:
    """The row's reminders not yet sent (the share one and the day-before one), before its due."""
    pending = []
    if row.warned_at is None and row.warn_at is not None:
        pending.append(row.warn_at)
    if row.reminded_at is None and row.remind_at is not None:
        pending.append(row.remind_at)
    return [moment for moment in pending if moment < row.due_at]


def next_check(row: Deadline, *, urgent: bool, cal: WorkCalendar) -> datetime | None:
    """When the sweep must look at this row again; None when nothing is pending. A held row (an
    extension request waits) is looked at again at its ceiling, where its clock runs again."""
    if not row.is_open:
        return None
    if row.held_since is not None:
        return row.held_until
    urgent = urgent or round_the_clock(row.limit_unit)
    if row.breached_at is None:
        return min([*pending_reminders(row), row.due_at])
    if row.breach_notified_at is None:
        return row.breached_at if urgent else cal.next_working_moment(row.breached_at)
    if row.escalation_level < max_escalation_level():
        moment = escalation_time(cal, row, row.escalation_level + 1)
        if moment is None:
            return None
        return moment if urgent else cal.next_working_moment(moment)
    return None


def is_urgent(order: WorkOrder) -> bool:
    return order.level in urgent_levels()


def sla_for(order: WorkOrder) -> OrderSla | None:
    try:
        return order.sla
    except OrderSla.DoesNotExist:
        return None


def open_row(
    order: WorkOrder,
    stage: str,
    *,
    start: datetime,
    now: datetime,
    limit: dict | None = None,
    basis: str = "policy",
    cycle: int | None = None,
    sla: OrderSla | None = None,
    cal: WorkCalendar | None = None,
    fresh: bool = False,
) -> Deadline | None:
    """Open the stage's deadline unless one is open already or no limit applies. ``fresh``: the
    order was created in this transaction, so it has no rows and no frozen SLA to look up."""
    if not fresh:
        existing = order.deadlines.open().filter(stage=stage).first()
        if existing is not None:
            return existing
    sla = sla or (None if fresh else sla_for(order))
    limit = limit or (sla.limits.get(str(stage)) if sla else None)
    if not limit:
        return None
    cal = cal or get_calendar()
    external = None
    if stage == Stage.REPLY and basis == "policy" and sla and sla.channel_limit:
        external = (order.received_at, sla.channel_limit)
    computed = compute(
        cal=cal,
        start=start,
        limit=limit,
        share=sla.warn_share if sla else 0.75,
        urgent=is_urgent(order),
        basis=basis,
        external=external,
    )
    row = Deadline(
        order=order,
        stage=stage,
        cycle=order.reopen_count if cycle is None else cycle,
        started_at=start,
        limit_value=computed.limit["value"],
        limit_unit=computed.limit["unit"],
        basis=computed.basis,
        original_due_at=computed.due_at,
        due_at=computed.due_at,
        warn_at=computed.warn_at,
        remind_at=computed.remind_at,
        provisional=computed.provisional,
        created_at=now,
    )
    row.next_at = next_check(row, urgent=is_urgent(order), cal=cal)
    row.save()
    return row


def next_due_of(order_id: int) -> tuple[datetime | None, datetime | None]:
    """(due, started) of the order's earliest running deadline: open, its clock not held (a clock
    held while an extension request waits has no due time to count down to; the request's own
    decision clock has); (None, None) when no clock runs."""
    row = (
        Deadline.objects.open()
        .filter(order_id=order_id, held_since__isnull=True)
        .order_by("due_at", "pk")
        .values_list("due_at", "started_at")
        .first()
    )
    return row or (None, None)


def sync_next_due(order: WorkOrder, known: tuple | None = None) -> None:
    """Keep ``order.next_due_at`` and ``next_started_at`` (the queues sort on them) equal to the
    earliest running deadline, after the order's rows changed; ``known``: those two values when the
    caller knows them (a new order's only row), saving the lookup. Writes the two columns alone,
    and only when they change."""
    due, started = known if known is not None else next_due_of(order.pk)
    if (order.next_due_at, order.next_started_at) == (due, started):
        return
    WorkOrder.objects.filter(pk=order.pk).update(next_due_at=due, next_started_at=started)
    order.next_due_at, order.next_started_at = due, started


def sync_next_due_many(order_ids: Iterable[int]) -> int:
    """``sync_next_due`` for many orders at once (rows recomputed outside a transition, a backfill):
    one UPDATE; returns the number of orders written."""
    first = (
        Deadline.objects.open()
        .filter(order_id=OuterRef("pk"), held_since__isnull=True)
        .order_by("due_at", "pk")
    )
    return WorkOrder.objects.filter(pk__in=list(order_ids)).update(
        next_due_at=Subquery(first.values("due_at")[:1]),
        next_started_at=Subquery(first.values("started_at")[:1]),
    )


def open_rows(order: WorkOrder, stage: str | None = None) -> QuerySet:
    """The order's open rows (of one stage), locked for update."""
    qs = Deadline.objects.select_for_update().open().filter(order=order)
    return qs.filter(stage=stage) if stage else qs


def meet(order: WorkOrder, stage: str, *, now: datetime) -> None:
    """The stage is done: record the time, stop the clock."""
    for row in open_rows(order, stage):
        row.met_at, row.next_at = now, None
        release_hold(row, now=now)
        row.save(update_fields=["met_at", "next_at", "held_since", "held_until", "paused_seconds"])


def release_hold(row: Deadline, *, now: datetime) -> None:
    """End a row's pause (in memory): the paused time is added up, the ceiling forgotten."""
    if row.held_since is not None:
        row.paused_seconds += int((now - row.held_since).total_seconds())
    row.held_since = row.held_until = None


def cancel_open(order: WorkOrder, *, now: datetime, except_stages: tuple = ()) -> None:
    """Stop every open clock of the order (but those of ``except_stages``)."""
    for row in open_rows(order).exclude(stage__in=except_stages):
        row.cancelled_at, row.next_at = now, None
        row.save(update_fields=["cancelled_at", "next_at"])


def recompute_open(order: WorkOrder, *, sla: OrderSla, now: datetime) -> None:
    """After a level change: recompute every open row from its own start (domain.md §5.1)."""
    cal = get_calendar()
    urgent = is_urgent(order)
    for row in open_rows(order):
        if row.basis in ("extension", "supervision"):  # due times a person set
            continue
        if row.basis in ("reopen", "redispatch", "assist", "platform"):  # limits not from the level's policy
            limit = {"value": row.limit_value, "unit": row.limit_unit}
            if row.basis in ("redispatch", "assist", "platform") and sla.limits.get(row.stage):
                limit = sla.limits[row.stage]
        else:
            limit = sla.limits.get(row.stage)
        if not limit:
            row.cancelled_at, row.next_at = now, None
            row.save(update_fields=["cancelled_at", "next_at"])
            continue
        external = (
            (order.received_at, sla.channel_limit)
            if (row.stage == Stage.REPLY and row.basis in ("policy", "channel") and sla.channel_limit)
            else None
        )
        computed = compute(
            cal=cal,
            start=row.started_at,
            limit=limit,
            share=sla.warn_share,
            urgent=urgent,
            basis="policy" if row.basis == "channel" else row.basis,
            external=external,
        )
        row.due_at, row.warn_at, row.basis = computed.due_at, computed.warn_at, computed.basis
        row.remind_at = computed.remind_at
        row.limit_value, row.limit_unit = computed.limit["value"], computed.limit["unit"]
        row.provisional = row.provisional or computed.provisional
        row.next_at = next_check(row, urgent=urgent, cal=cal)
        row.save()


def open_classified(order: WorkOrder, *, now: datetime) -> OrderSla:
    """Freeze the SLA and open the customer-facing clocks, from receipt (dispatch recomputed);
    returns the frozen SLA."""
    sla = freeze_sla(order, now=now)
    received = order.received_at
    dispatch = order.deadlines.open().filter(stage=Stage.DISPATCH)
    if dispatch.exists():
        recompute_open(order, sla=sla, now=now)
    cal = get_calendar()
    for stage in (Stage.DISPATCH, Stage.CONTACT, Stage.REPLY, Stage.OVERALL, Stage.REGULATORY):
        open_row(order, stage, start=received, now=now, sla=sla, cal=cal, cycle=0)
    return sla


def centre_limit(order: WorkOrder, stage: str, *, sla: OrderSla | None = None) -> dict | None:
    """The limit of a stage the centre starts (督办, 协办, the platform reply): the order's frozen SLA
    policy's, else the default (``SUPERVISION_FEEDBACK_LIMIT``, ``ASSIST_LIMIT``, the platform
    channel's own limit)."""
    sla = sla or sla_for(order)
    limit = sla.limits.get(str(stage)) if sla else None
    if limit:
        return limit
    if stage == Stage.SUPERVISION:
        return parse_spec(getattr(settings, "SUPERVISION_FEEDBACK_LIMIT", "1wd"))
    if stage == Stage.ASSIST:
        return parse_spec(getattr(settings, "ASSIST_LIMIT", "2wd"))
    if stage == Stage.PLATFORM:
        return channel_limit_for(order.channel)
    return None


def department_at(order: WorkOrder, level: int) -> int | None:
    """The department told at escalation ``level``: 1 the holder's, 2 its parent, 3 the next up."""
    dept = order.department or order.unit
    if dept is None:
        return None
    chain = dept.ancestor_ids if dept.path else [dept.pk]
    index = max(0, len(chain) - level)
    return chain[index]


@transaction.atomic
def recompute_provisional(*, year: int | None = None, now: datetime | None = None) -> list[dict]:
    """Recompute the open deadlines that were computed on plain weekdays (``provisional``) because
    the work calendar lacked a year, now that it may have it; ``year``: only rows due in that year
    (local time). Each row keeps its own start and limit; a row whose calendar is still incomplete
    stays provisional. Returns what moved: ``{order, stage, from, to, provisional}`` per row."""
    now = now or timezone.now()
    cal = get_calendar()
    moved, orders = [], set()
    rows = Deadline.objects.open().filter(provisional=True).select_related("order").order_by("pk")
    if connection.features.has_select_for_update_of:
        rows = rows.select_for_update(of=("self",))
    for row in rows:
        years = {timezone.localtime(row.started_at).year, timezone.localtime(row.due_at).year}
        if year is not None and year not in years:
            continue
        if row.basis in ("extension", "supervision"):  # a due time a person set, not a computed one
            continue
        sla = sla_for(row.order)
        computed = compute(
            cal=cal,
            start=row.started_at,
            limit={"value": row.limit_value, "unit": row.limit_unit},
            share=sla.warn_share if sla else 0.75,
            urgent=is_urgent(row.order),
            basis=row.basis,
        )
        before = row.due_at
        row.due_at, row.provisional = computed.due_at, computed.provisional
        if row.warned_at is None:
            row.warn_at = computed.warn_at
        if row.reminded_at is None:
            row.remind_at = computed.remind_at
        if row.original_due_at == before:
            row.original_due_at = computed.due_at
        row.next_at = next_check(row, urgent=is_urgent(row.order), cal=cal)
        if row.next_at is not None and row.next_at < now and row.breached_at is None:
            row.next_at = now  # the sweep looks at it on its next run
        row.save(
            update_fields=["due_at", "warn_at", "remind_at", "original_due_at", "provisional", "next_at"]
        )
        orders.add(row.order_id)
        moved.append(
            {
                "order": row.order.tracking_no or row.order_id,
                "stage": row.stage,
                "from": before,
                "to": row.due_at,
                "provisional": row.provisional,
            }
        )
    if orders:
        # The queues sort on the moved due times. After the commit, in a statement of its own: the
        # deadline rows are locked here and not their orders, which a transition locks first.
        transaction.on_commit(lambda: sync_next_due_many(orders))
    return moved


def calendar_year_saved(*, instance: WorkCalendarYear, **_signal_kwargs: object) -> None:
    """``post_save`` of a calendar year: redo its provisional deadlines once the save commits."""
    year = instance.year
    transaction.on_commit(lambda: recompute_provisional(year=year))
