"""Statistics: the daily aggregate (kept by the transition hook), its rebuild, and the report reads.

``on_workorder_event`` is the statistics concern of the effects registry (``lifecycle.effects``) and
its ``WORKORDER_TRANSITION_HOOKS`` entry: it handles every event alike (no action is special), by
refreshing the order the event is about; the order a duplicate joins has its own ``merged_from``
event.

Every order contributes a vector of additive measures (``order_measures``) to one ``StatsDaily``
row, keyed by the day it was received (Asia/Shanghai) and its current unit, department, category,
channel, level, truthfulness and satisfaction; an open order also counts in one ``StatsOpen`` row.
``StatsOrderFacts`` remembers each order's last contribution, so the hook applies a change as a
delta (moving the contribution when a dimension changes) with ``F()`` increments. The dashboard,
the pivot and the reports read only the aggregate tables: their cost grows with the number of
dimension combinations, not with the number of orders.

Figures are cohort figures: "received 1-31 May, satisfaction rate" means the satisfaction rate of
the orders received in that range, as they stand now. A direct count over the orders filtered by
``received_at`` gives the same numbers (the tests check exactly that). An order merged into another
or dismissed as not established (``UNHANDLED_OUTCOMES``) is not a complaint: once closed so, it
counts only as ``merged`` or ``dismissed``, so its merge or dismissal moves it out of ``received``
and every other complaint figure (docs/figures.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Model, Q

from complaints.models import Category

from ..lifecycle import Concern
from ..models import (
    DAILY_MEASURES,
    HANDLING_BUCKET_EDGES,
    HANDLING_BUCKETS,
    PLATFORM_CHANNELS,
    STAT_STAGES,
    UNHANDLED_OUTCOMES,
    Deadline,
    Outcome,
    Satisfaction,
    StatsCategoryDaily,
    StatsDaily,
    StatsOpen,
    StatsOrderFacts,
    StatsUnitDaily,
    Status,
    Truthfulness,
    WorkOrder,
    WorkOrderEvent,
)

DAILY_KEY = ("day", "unit_id", "department_id", "category_id", "channel", "level")
UNIT_KEY = DAILY_KEY[:3]
CATEGORY_KEY = ("day", "unit_id", "department_id", "category1_id")
OPEN_KEY = ("unit_id", "department_id", "category_id", "channel", "level", "status")
ORDER_FIELDS = (
    "id",
    "received_at",
    "unit_id",
    "department_id",
    "category_id",
    "channel",
    "level",
    "truthfulness",
    "satisfaction",
    "first_satisfaction",
    "status",
    "is_overdue",
    "outcome",
    "closed_at",
    "replied_at",
    "dispatched_at",
    "first_contact_at",
    "approved_at",
    "is_repeat",
    "urge_count",
    "internal_urge_count",
    "return_count",
    "reject_count",
    "reopen_count",
    "suspend_count",
    "platform_replied_at",
    "platform_evaluation",
)
TRUTHFUL = (Truthfulness.TRUE, Truthfulness.PARTLY_TRUE)
EVALUATED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.UNSATISFIED)
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(tz()).date()


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz())


def handling_bucket(seconds: float) -> int:
    hours = seconds / 3600
    for i, edge in enumerate(HANDLING_BUCKET_EDGES):
        if hours < edge:
            return i
    return HANDLING_BUCKETS - 1


# --- one order's contribution ---------------------------------------------------------------------


# A deadline row is late when it was met after its due time (the due time in force then: an approved
# extension has moved it), or when it is not met and the sweep found it past due. Lateness is a fact
# of the row, whether or not a sweep ran before the stage was done.
LATE_ROW = Q(met_at__isnull=False, met_at__gt=F("due_at")) | Q(met_at__isnull=True, breached_at__isnull=False)
# The stages the customer sees; a handled order is on time when none of them was late. They belong to
# the handling department (contact, reply, and the channel's regulatory limit on the reply).
CUSTOMER_FACING_STAGES = frozenset({"contact", "reply", "regulatory"})


def late_stages(order_ids: Iterable[int]) -> dict[int, set[str]]:
    """order id → the stages of that order that were (or are) late, any cycle (one query)."""
    late: dict[int, set[str]] = defaultdict(set)
    rows = (
        Deadline.objects.filter(order_id__in=list(order_ids))
        .filter(LATE_ROW)
        .values_list("order_id", "stage")
    )
    for order_id, stage in rows:
        late[order_id].add(stage)
    return late


def order_measures(o: dict, late: set[str]) -> tuple[list, list | None, bool, dict[str, int]]:
    """(daily key, open key or None, overdue_open, {measure: value}) of one order's current state.

    ``o`` maps the field names of ``ORDER_FIELDS`` (an order's ``__dict__`` will do); ``late`` is the
    set of stages whose deadline was late (``late_stages``).
    """
    status = o["status"]
    is_open = status != Status.CLOSED
    overdue = bool(o["is_overdue"]) or bool(late)
    outcome = o["outcome"] or ""
    if outcome in UNHANDLED_OUTCOMES:
        # Merged into another order (that order counts the call as an urge) or dismissed as not
        # established: not a complaint. From the moment it is closed so, the order leaves every
        # complaint figure (received, open/closed, per 10,000 customers, the repeat, urge and return
        # rates) and counts only here. It was never dispatched, so it has no stage figures either.
        m = {"merged" if outcome == Outcome.MERGED else "dismissed": 1}
        return _daily_key(o), None, False, m
    m = {"received": 1}
    if is_open:
        m["open"] = 1
        if o["is_overdue"]:
            m["overdue_open"] = 1
    else:
        m["closed"] = 1
    if overdue:
        m["breached"] = 1
    if not is_open and outcome not in UNHANDLED_OUTCOMES and o["closed_at"]:
        seconds = max((o["closed_at"] - o["received_at"]).total_seconds(), 0)
        m["handled"] = 1
        m["handling_seconds"] = int(seconds)
        m[f"hb_{handling_bucket(seconds)}"] = 1
        if late & CUSTOMER_FACING_STAGES:
            m["handled_late"] = 1
    truth, sat = o["truthfulness"] or "", o["satisfaction"] or ""
    if truth:
        m[f"truth_{truth}"] = 1
    if sat:
        m[f"sat_{sat}"] = 1
    if truth:
        m["replied"] = 1
        if truth in TRUTHFUL:
            m["truthful"] = 1
    if sat in EVALUATED:
        m["evaluated"] = 1
        if sat in SATISFIED:
            m["satisfied"] = 1
    first = o["first_satisfaction"] or ""
    if first in EVALUATED:  # the first callback that reached the customer (kept after a reopen)
        m["first_evaluated"] = 1
        if first in SATISFIED:
            m["first_satisfied"] = 1
    if outcome == Outcome.SERVICE_TERMINATED:
        m["terminated"] = 1
    if o["channel"] in PLATFORM_CHANNELS:  # 12398 / 12345: the reply back to the platform
        m["platform"] = 1
        if o.get("platform_replied_at"):
            m["platform_replied"] = 1
        if "platform" in late:
            m["platform_late"] = 1
        evaluation = o.get("platform_evaluation") or ""
        if evaluation in EVALUATED:
            m["platform_evaluated"] = 1
            if evaluation in SATISFIED:
                m["platform_satisfied"] = 1
    for name, flag in (
        ("suspended", o.get("suspend_count")),
        ("repeat", o["is_repeat"]),
        ("urged", o["urge_count"]),
        ("internal_urged", o.get("internal_urge_count")),
        ("returned", o["return_count"]),
        ("rejected", o["reject_count"]),
        ("reopened", o["reopen_count"]),
    ):
        if flag:
            m[name] = 1
    done = {
        "dispatch": o["dispatched_at"] is not None,
        "contact": o["first_contact_at"] is not None,
        "reply": o["replied_at"] is not None,
        "review": o["approved_at"] is not None,
        "callback": not is_open
        and outcome in (Outcome.RESOLVED, Outcome.EXPLAINED, Outcome.UNREACHABLE)
        and bool(o["replied_at"]),
    }
    for stage in STAT_STAGES:
        if done[stage]:
            m[f"done_{stage}"] = 1
            if stage in late:
                m[f"late_{stage}"] = 1
    open_key = (
        [o["unit_id"], o["department_id"] or 0, o["category_id"] or 0, o["channel"], o["level"], status]
        if is_open
        else None
    )
    return _daily_key(o), open_key, bool(is_open and o["is_overdue"]), m


def _daily_key(o: dict) -> list:
    return [
        local_day(o["received_at"]).isoformat(),
        o["unit_id"],
        o["department_id"] or 0,
        o["category_id"] or 0,
        o["channel"],
        o["level"],
    ]


def _bump(model: type[Model], key_fields: tuple, key: list, deltas: dict) -> None:
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    lookup = dict(zip(key_fields, key, strict=False))
    updates = {k: F(k) + v for k, v in deltas.items()}
    if model.objects.filter(**lookup).update(**updates):
        return
    try:
        with transaction.atomic():
            model.objects.create(**lookup, **deltas)
    except IntegrityError:  # created meanwhile by a concurrent transaction: it is committed now
        model.objects.filter(**lookup).update(**updates)


def _changes(
    old: StatsOrderFacts | None, daily_key: list, open_key: list | None, overdue_open: bool, measures: dict
) -> list[tuple]:
    """The aggregate rows one order's new contribution moves: (model, key fields, key, deltas)."""
    changes = []
    old_measures = old.measures if old else {}
    old_daily = old.daily_key if old else None
    if old_daily == daily_key:
        diff = {k: measures.get(k, 0) - old_measures.get(k, 0) for k in set(measures) | set(old_measures)}
        changes.append((StatsDaily, DAILY_KEY, daily_key, diff))
    else:
        if old_daily:
            changes.append((StatsDaily, DAILY_KEY, old_daily, {k: -v for k, v in old_measures.items()}))
        changes.append((StatsDaily, DAILY_KEY, daily_key, measures))
    old_open = (old.open_key or None) if old else None
    old_over = old.overdue_open if old else False
    if old_open == open_key:
        if open_key:
            changes.append((StatsOpen, OPEN_KEY, open_key, {"overdue": int(overdue_open) - int(old_over)}))
    else:
        if old_open:
            changes.append((StatsOpen, OPEN_KEY, old_open, {"count": -1, "overdue": -int(old_over)}))
        if open_key:
            changes.append((StatsOpen, OPEN_KEY, open_key, {"count": 1, "overdue": int(overdue_open)}))
    daily = [(key, deltas) for model, _f, key, deltas in changes if model is StatsDaily]
    changes += [(StatsUnitDaily, UNIT_KEY, key[:3], deltas) for key, deltas in daily]
    changes += [
        (StatsCategoryDaily, CATEGORY_KEY, category_key(key), {"received": deltas.get("received", 0)})
        for key, deltas in daily
    ]
    return changes


_level1: dict[int, int] = {}


def level1_of(category_id: int) -> int:
    """The first-level ancestor of a category (0 for none), from a per-process map that reloads
    when it meets a category it does not know."""
    if not category_id:
        return 0
    if category_id not in _level1:
        codes = dict(Category.objects.values_list("pk", "code"))
        by_code = {code: pk for pk, code in codes.items()}
        _level1.clear()
        _level1.update({pk: by_code.get(code[:2], 0) for pk, code in codes.items()})
    return _level1.get(category_id, 0)


def category_key(daily_key: list) -> list:
    """The StatsCategoryDaily key of a StatsDaily key."""
    return [*daily_key[:3], level1_of(daily_key[3])]


def _bump_all(changes: Iterable[tuple]) -> None:
    """Apply the changes, summed per aggregate row, in a fixed order of rows, so two transactions
    never wait on each other in a cycle. On PostgreSQL each table's rows move in one statement
    (INSERT … ON CONFLICT DO UPDATE: the row is created or incremented), whatever their number."""
    totals: dict[tuple, dict] = {}
    for model, fields, key, deltas in changes:
        summed = totals.setdefault((model, fields, tuple(key)), defaultdict(int))
        for name, value in deltas.items():
            summed[name] += value
    ordered = sorted(totals.items(), key=lambda c: (c[0][0].__name__, [str(k) for k in c[0][2]]))
    ordered = [(target, {k: v for k, v in deltas.items() if v}) for target, deltas in ordered]
    ordered = [(target, deltas) for target, deltas in ordered if deltas]
    if connection.vendor == "postgresql":
        by_model: dict[tuple, list] = {}
        for (model, fields, key), deltas in ordered:
            by_model.setdefault((model, fields), []).append((key, deltas))
        for (model, fields), rows in by_model.items():
            _upsert(model, fields, rows)
        return
    for (model, fields, key), deltas in ordered:
        _bump(model, fields, list(key), deltas)


def _upsert(model: type[Model], fields: tuple, rows: list[tuple[tuple, dict]]) -> None:
    """Add each row's deltas to its aggregate row, creating it when missing, in one statement."""
    # Every measure column (they have no database default): the ones a row does not move add 0.
    measures = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(f).column for f in (*fields, *measures)]
    keys = [model._meta.get_field(f).column for f in fields]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list = []
    for key, deltas in rows:
        params.extend(key)
        params.extend(deltas.get(name, 0) for name in measures)
    updates = ", ".join(f'"{c}" = {table}."{c}" + EXCLUDED."{c}"' for c in columns[len(fields) :])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in columns)}) "
            f"VALUES {', '.join([placeholders] * len(rows))} "
            f"ON CONFLICT ({', '.join(chr(34) + c + chr(34) for c in keys)}) DO UPDATE SET {updates}",
            params,
        )


def stats_refresh_order(order: WorkOrder, *, new: bool = False) -> None:
    """Bring the aggregates in line with this order's current state (call inside its transaction,
    after the deadline effects, so a stage met late in it counts late); ``new``: it has no facts yet."""
    stats_refresh_orders([order], new=new)


def stats_refresh_orders(orders: Iterable[WorkOrder], *, new: bool = False) -> None:
    """Refresh many orders at once (the sweep's batch; one for a transition): their facts are locked
    and read with one query (none when ``new``), their late stages with one, the changes summed per
    aggregate row and the facts written in bulk."""
    by_pk = {order.pk: order for order in orders}
    if not by_pk:
        return
    olds = (
        {}
        if new
        else {
            facts.order_id: facts
            for facts in StatsOrderFacts.objects.select_for_update()
            .filter(order_id__in=list(by_pk))
            .order_by("pk")
        }
    )
    # A new order's deadline rows were opened just now: none was met or found overdue yet.
    late = {pk: set() for pk in by_pk} if new else late_stages(by_pk)
    changes, created, updated = [], [], []
    for pk, order in by_pk.items():
        old, breached = olds.get(pk), late[pk]
        daily_key, open_key, overdue_open, measures = order_measures(order.__dict__, breached)
        if (
            old
            and old.daily_key == daily_key
            and (old.open_key or None) == open_key
            and old.overdue_open == overdue_open
            and old.measures == measures
            and set(old.breached_stages) == breached
        ):
            continue
        changes += _changes(old, daily_key, open_key, overdue_open, measures)
        facts = old or StatsOrderFacts(order_id=pk)
        facts.daily_key, facts.open_key, facts.overdue_open = daily_key, open_key or [], overdue_open
        facts.breached_stages, facts.measures = sorted(breached), measures
        (updated if old else created).append(facts)
    _bump_all(changes)
    StatsOrderFacts.objects.bulk_create(created)
    _facts_update(updated)


FACT_FIELDS = ("daily_key", "open_key", "overdue_open", "breached_stages", "measures")


def _facts_update(facts: list[StatsOrderFacts]) -> None:
    """Write the changed facts. On PostgreSQL one ``UPDATE … FROM unnest(…)`` for the batch:
    Django's ``bulk_update`` builds a CASE per row and field, which for the sweep's 500 rows cost
    ~0.6 s of Python (profiled at 1,000,000 orders) for a statement PostgreSQL runs in 20 ms."""
    if not facts:
        return
    if connection.vendor != "postgresql":
        StatsOrderFacts.objects.bulk_update(facts, FACT_FIELDS, batch_size=500)
        return
    ordered = sorted(facts, key=lambda f: f.order_id)  # the order the rows were locked in
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workorders_statsorderfacts AS f SET daily_key = v.daily_key, open_key = v.open_key, "
            "overdue_open = v.overdue_open, breached_stages = v.breached_stages, measures = v.measures "
            "FROM unnest(%s::bigint[], %s::jsonb[], %s::jsonb[], %s::boolean[], %s::jsonb[], %s::jsonb[]) "
            "AS v(order_id, daily_key, open_key, overdue_open, breached_stages, measures) "
            "WHERE f.order_id = v.order_id",
            [
                [f.order_id for f in ordered],
                [json.dumps(f.daily_key) for f in ordered],
                [json.dumps(f.open_key) for f in ordered],
                [bool(f.overdue_open) for f in ordered],
                [json.dumps(f.breached_stages) for f in ordered],
                [json.dumps(f.measures) for f in ordered],
            ],
        )


on_workorder_event = effects = Concern("stats")
# A reminder changes no figure.
effects.none("deadline_warning")


@effects.every_event
def _refresh(order: WorkOrder, event: WorkOrderEvent) -> None:
    """Keep the aggregates current: refresh the order's contribution."""
    stats_refresh_order(order, new=event.action == "create")


def _refresh_batch(pairs: list[tuple[WorkOrder, WorkOrderEvent]]) -> None:
    """The batch form (``lifecycle.events.run_transition_hooks_batch``): one refresh per order."""
    # An order created in the batch (intake's create + submit) is counted once, as it stands.
    created = {order.pk: order for order, event in pairs if event.action == "create"}
    changed = {}
    for order, event in pairs:
        if not effects.handles(event.action):
            continue
        if order.pk not in created:
            changed[order.pk] = order
    if created:
        stats_refresh_orders(created.values(), new=True)
    stats_refresh_orders(changed.values())


effects.batch = _refresh_batch


# --- rebuild --------------------------------------------------------------------------------------


@transaction.atomic
def stats_rebuild(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    chunk_size: int = 5000,
    lock: bool = True,
) -> int:
    """Recompute the aggregates of the orders received between the two days (inclusive; None: open end).

    For corrections and for bulk-loaded data. Returns the number of orders recomputed. Run it when
    no transitions touch the orders of that range (at night), or it may miss a concurrent change.
    """
    orders = WorkOrder.objects.all()
    daily = StatsDaily.objects.all()
    if date_from:
        orders = orders.filter(received_at__gte=day_start(date_from))
        daily = daily.filter(day__gte=date_from)
    if date_to:
        orders = orders.filter(received_at__lt=day_start(date_to + dt.timedelta(days=1)))
        daily = daily.filter(day__lte=date_to)
    if lock:  # transitions of these orders wait until the rebuild commits (they lock the order row too)
        list(orders.select_for_update().values_list("pk", flat=True))
    open_delta: dict[tuple, list] = defaultdict(lambda: [0, 0])
    full = date_from is None and date_to is None
    if not full:
        for old_key, old_over in StatsOrderFacts.objects.filter(order__in=orders.values("pk")).values_list(
            "open_key", "overdue_open"
        ):
            if not old_key:
                continue
            open_delta[tuple(old_key)][0] -= 1
            open_delta[tuple(old_key)][1] -= int(old_over)
    breached = defaultdict(set)
    for order_id, stage in (
        Deadline.objects.filter(order__in=orders.values("pk"))
        .filter(LATE_ROW)
        .values_list("order_id", "stage")
    ):
        breached[order_id].add(stage)
    StatsOrderFacts.objects.filter(order__in=orders.values("pk")).delete()
    daily.delete()
    unit_daily = StatsUnitDaily.objects.all()
    if date_from:
        unit_daily = unit_daily.filter(day__gte=date_from)
    if date_to:
        unit_daily = unit_daily.filter(day__lte=date_to)
    unit_daily.delete()
    category_daily = StatsCategoryDaily.objects.all()
    if date_from:
        category_daily = category_daily.filter(day__gte=date_from)
    if date_to:
        category_daily = category_daily.filter(day__lte=date_to)
    category_daily.delete()
    totals: dict[tuple, dict] = {}
    facts = []
    count = 0
    for o in orders.values(*ORDER_FIELDS).iterator(chunk_size=chunk_size):
        stages = breached.get(o["id"], set())
        daily_key, open_key, overdue_open, measures = order_measures(o, stages)
        row = totals.setdefault(tuple(daily_key), defaultdict(int))
        for k, v in measures.items():
            row[k] += v
        facts.append((o["id"], daily_key, open_key or [], overdue_open, sorted(stages), measures))
        if open_key and not full:
            open_delta[tuple(open_key)][0] += 1
            open_delta[tuple(open_key)][1] += int(overdue_open)
        count += 1
        if len(facts) >= chunk_size:
            _insert_facts(facts)
            facts = []
    _insert_facts(facts)
    fields = list(DAILY_KEY) + list(DAILY_MEASURES)
    _fast_insert(
        StatsDaily, fields, ([*key, *(row.get(m, 0) for m in DAILY_MEASURES)] for key, row in totals.items())
    )
    unit_totals: dict[tuple, dict] = {}
    for key, row in totals.items():
        target = unit_totals.setdefault(key[:3], defaultdict(int))
        for k, v in row.items():
            target[k] += v
    _fast_insert(
        StatsUnitDaily,
        list(UNIT_KEY) + list(DAILY_MEASURES),
        ([*key, *(row.get(m, 0) for m in DAILY_MEASURES)] for key, row in unit_totals.items()),
    )
    category_totals: dict[tuple, int] = defaultdict(int)
    for key, row in totals.items():
        category_totals[tuple(category_key(list(key)))] += row.get("received", 0)
    _fast_insert(
        StatsCategoryDaily,
        [*CATEGORY_KEY, "received"],
        ([*key, received] for key, received in category_totals.items() if received),
    )
    if full:
        stats_rebuild_open()
    else:
        for key in sorted(open_delta, key=lambda k: [str(x) for x in k]):
            n, over = open_delta[key]
            _bump(StatsOpen, OPEN_KEY, list(key), {"count": n, "overdue": over})
    return count


def _fast_insert(model: type[Model], fields: list[str], rows: Iterable, page_size: int = 20000) -> None:
    """Insert many rows: COPY on PostgreSQL (bulk_create is CPU-bound at this width), bulk_create
    elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=False))) for row in rows], batch_size=500
        )
        return
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv)"

    def flush(buffer: io.StringIO) -> None:
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, buffer)

    buffer, writer, count = io.StringIO(), None, 0
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["t" if v is True else "f" if v is False else v for v in row])
        count += 1
        if count % page_size == 0:
            flush(buffer)
            buffer = io.StringIO()
            writer = csv.writer(buffer)
    if buffer.tell():
        flush(buffer)


def _insert_facts(facts: list[tuple]) -> None:
    if connection.vendor != "postgresql":
        StatsOrderFacts.objects.bulk_create(
            [
                StatsOrderFacts(
                    order_id=f[0],
                    daily_key=f[1],
                    open_key=f[2],
                    overdue_open=f[3],
                    breached_stages=f[4],
                    measures=f[5],
                )
                for f in facts
            ]
        )
        return
    _fast_insert(
        StatsOrderFacts,
        ["order", "daily_key", "open_key", "overdue_open", "breached_stages", "measures"],
        ([f[0], json.dumps(f[1]), json.dumps(f[2]), f[3], json.dumps(f[4]), json.dumps(f[5])] for f in facts),
    )


def stats_rebuild_open() -> None:
    """Recompute the open-orders table from the open orders (status index; no date range)."""
    StatsOpen.objects.all().delete()
    rows = (
        WorkOrder.objects.exclude(status=Status.CLOSED)
        .values("unit_id", "department_id", "category_id", "channel", "level", "status")
        .annotate(n=Count("id"), over=Count("id", filter=Q(is_overdue=True)))
    )
    StatsOpen.objects.bulk_create(
        [
            StatsOpen(
                unit_id=r["unit_id"],
                department_id=r["department_id"] or 0,
                category_id=r["category_id"] or 0,
                channel=r["channel"],
                level=r["level"],
                status=r["status"],
                count=r["n"],
                overdue=r["over"],
            )
            for r in rows
        ],
        batch_size=2000,
    )
