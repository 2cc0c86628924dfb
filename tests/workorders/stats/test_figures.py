"""Each dashboard figure equals a direct count over the orders (issue 7, item 7)."""

import datetime as dt
from statistics import mean

import pytest
from django.db.models import Q

from complaints.models import Category
from workorders.models import Deadline, StatsDaily, StatsOpen, Status, WorkOrder
from workorders.selectors import workorders_visible_to
from workorders.stats.aggregates import DAILY_KEY, day_start, stats_rebuild
from workorders.stats.reads import StatsFilter, stats_dashboard, stats_pivot, stats_summary

pytestmark = pytest.mark.django_db

STAGE_DONE = {
    "dispatch": "dispatched_at",
    "contact": "first_contact_at",
    "reply": "replied_at",
    "review": "approved_at",
}


def orders_in(user, date_from=None, date_to=None):
    qs = workorders_visible_to(user)
    if date_from:
        qs = qs.filter(received_at__gte=day_start(date_from))
    if date_to:
        qs = qs.filter(received_at__lt=day_start(date_to + dt.timedelta(days=1)))
    return list(qs)


def breached_stages(order):
    """The stages that ran late: met after the due time, or found past it while open."""
    return {
        row.stage
        for row in Deadline.objects.filter(order=order)
        if (row.met_at and row.met_at > row.due_at) or (row.met_at is None and row.breached_at)
    }


def rate(num, den):
    return round(num / den, 4) if den else None


NOT_COMPLAINTS = ("merged", "not_established")


def complaints(orders):
    """The orders that are complaints: not merged into another order, not dismissed (不成立)."""
    if hasattr(orders, "exclude"):
        return orders.exclude(outcome__in=NOT_COMPLAINTS)
    return [o for o in orders if o.outcome not in NOT_COMPLAINTS]


def first_reached_rating(order):
    """The rating of the order's first callback that reached the customer, from its events."""
    for event in order.events.filter(action="callback").order_by("created_at", "id"):
        if event.payload.get("reached"):
            return event.payload["satisfaction"]
    return ""


def direct(orders):
    """The summary computed straight from the orders and their events."""
    every = orders
    orders = complaints(every)
    closed = [o for o in orders if o.status == Status.CLOSED]
    handled = closed
    first = [r for r in map(first_reached_rating, orders) if r]
    # On time: none of the customer-facing stages (contact, reply, the regulatory limit) was late.
    late = [o for o in handled if breached_stages(o) & {"contact", "reply", "regulatory"}]
    evaluated = [o for o in orders if o.satisfaction in ("satisfied", "basically_satisfied", "unsatisfied")]
    replied = [o for o in orders if o.truthfulness]
    stage = {}
    for name, field in STAGE_DONE.items():
        done = [o for o in orders if getattr(o, field)]
        stage[name] = rate(len([o for o in done if name not in breached_stages(o)]), len(done))
    done = [o for o in closed if o.outcome in ("resolved", "explained", "unreachable") and o.replied_at]
    stage["callback"] = rate(len([o for o in done if "callback" not in breached_stages(o)]), len(done))
    return {
        "received": len(orders),
        "open": len(orders) - len(closed),
        "closed": len(closed),
        "merged": len([o for o in every if o.outcome == "merged"]),
        "dismissed": len([o for o in every if o.outcome == "not_established"]),
        "overdue": len([o for o in orders if o.status != Status.CLOSED and o.is_overdue]),
        "on_time_rate": rate(len(handled) - len(late), len(handled)),
        "satisfaction_rate": rate(
            len([o for o in evaluated if o.satisfaction != "unsatisfied"]), len(evaluated)
        ),
        "first_callback_satisfaction_rate": rate(
            len([r for r in first if r in ("satisfied", "basically_satisfied")]), len(first)
        ),
        "repeat_rate": rate(len([o for o in orders if o.is_repeat]), len(orders)),
        "urge_rate": rate(len([o for o in orders if o.urge_count]), len(orders)),
        "return_rate": rate(len([o for o in orders if o.return_count]), len(orders)),
        "truthfulness_rate": rate(
            len([o for o in replied if o.truthfulness in ("true", "partly_true")]), len(replied)
        ),
        "reopen_rate": rate(len([o for o in orders if o.reopen_count]), len(closed)),
        "avg_handling_hours": round(
            mean((o.closed_at - o.received_at).total_seconds() for o in handled) / 3600, 1
        )
        if handled
        else None,
        "stage_on_time": stage,
    }


def check(user, f: StatsFilter):
    got = stats_summary(user, f)
    want = direct(orders_in(user, f.date_from, f.date_to))
    for key, value in want.items():
        assert got[key] == value, (key, got[key], value)
    return got


def test_summary_matches_direct_counts_for_the_manager(dataset, users):
    got = check(users["manager"], StatsFilter())
    # The edge cases are in: 9 orders, B reopened twice yet counted once; C merged and I dismissed
    # are not complaints: counted on their own, in none of the other figures.
    assert got["received"] == 7 and got["merged"] == 1 and got["dismissed"] == 1
    assert WorkOrder.objects.get(pk=dataset["ids"]["reopened"]).reopen_count == 2
    assert got["closed"] == 3 and got["overdue"] == 1 and got["repeat_rate"] == round(1 / 7, 4)
    # B's first callback was unsatisfied, its last basically satisfied: A, B, E are all satisfied
    # in the end, but only A and E at their first callback.
    assert got["satisfaction_rate"] == 1.0 and got["first_callback_satisfaction_rate"] == round(2 / 3, 4)
    assert got["stage_on_time"]["contact"] == 1.0  # D's contact deadline breached, but contact not done yet
    assert got["stage_on_time"]["reply"] == 0.75  # E replied late


def test_each_day_and_the_midnight_edges(dataset, users):
    d1, d2, d3 = dataset["days"]
    manager = users["manager"]
    for day in (d1, d2, d3, d2 + dt.timedelta(days=1)):
        check(manager, StatsFilter(date_from=day, date_to=day))
    # E (23:50 local, closed after midnight) counts on d2; F (00:10 local = d2 in UTC) on d3.
    on_d2 = stats_summary(manager, StatsFilter(date_from=d2, date_to=d2))
    assert (on_d2["received"], on_d2["merged"]) == (2, 1)  # D and E; C merged
    on_d3 = stats_summary(manager, StatsFilter(date_from=d3, date_to=d3))
    assert (on_d3["received"], on_d3["dismissed"]) == (3, 1)  # F, G and H; I dismissed


def test_supervisor_sees_only_the_subtree(dataset, users, cd_supervisor):
    got = check(cd_supervisor, StatsFilter())
    assert got["received"] == 1  # only G, dispatched to 城东供电所
    assert stats_pivot(cd_supervisor, StatsFilter(), rows="department")["total"] == 1


def test_filters_match_the_order_list_filters(dataset, users, depts):
    manager = users["manager"]
    for f, q in (
        (StatsFilter(department=depts["BJ-YJ"].pk), Q(department=depts["BJ-YJ"])),
        (StatsFilter(channel="wechat"), Q(channel="wechat")),
        (StatsFilter(level="important"), Q(level="important")),
        (StatsFilter(category="04"), Q(category__code__startswith="04")),
    ):
        got = stats_summary(manager, f)
        want = direct(list(workorders_visible_to(manager).filter(q)))
        assert got["received"] == want["received"] and got["closed"] == want["closed"], f
        assert got["merged"] == want["merged"] and got["dismissed"] == want["dismissed"], f
        assert (
            got["satisfaction_rate"] == want["satisfaction_rate"]
            and got["on_time_rate"] == want["on_time_rate"]
        )


def test_open_now_by_stage_and_overdue(dataset, users):
    d = stats_dashboard(users["manager"], StatsFilter())
    visible = workorders_visible_to(users["manager"])
    for stage in d["open_stages"]:
        assert stage["count"] == visible.filter(status=stage["status"]).count(), stage
        assert stage["link"]["status"] == stage["status"]
    assert d["overdue_now"] == visible.exclude(status=Status.CLOSED).filter(is_overdue=True).count() == 1


def test_dashboard_periods_trend_ranking_and_per_10k(dataset, users, depts):
    manager = users["manager"]
    today = dataset["today"]
    d = stats_dashboard(manager, StatsFilter(date_from=today - dt.timedelta(days=30), date_to=today))
    visible = complaints(workorders_visible_to(manager))
    trend = {p["day"]: p["received"] for p in d["trend"]}
    assert len(trend) == 90 and sum(trend.values()) == visible.count()
    for day, n in trend.items():
        day = dt.date.fromisoformat(day)
        assert (
            n
            == visible.filter(
                received_at__gte=day_start(day), received_at__lt=day_start(day + dt.timedelta(days=1))
            ).count()
        )
    week = next(p for p in d["periods"] if p["code"] == "week")
    week_start = today - dt.timedelta(days=today.weekday())
    assert week["received"] == visible.filter(received_at__gte=day_start(week_start)).count()
    ranking = {r["department"]: r for r in d["ranking"]}
    for dept_id, row in ranking.items():
        assert row["received"] == visible.filter(department_id=dept_id).count()
        assert row["link"]["department"] == dept_id
    company = next(u for u in d["per_10k"] if u["unit"] == depts["BJ"].pk)
    assert company["per_10k"] == round(visible.filter(unit=depts["BJ"]).count() * 10000 / 1_260_000, 2)
    mix = sum(c["received"] for c in d["category_mix"])
    assert mix == visible.count()
    # each first-level category's count, from the roll-up (no filter) and from the daily table (a
    # level filter), equals the direct count
    for f, orders in (
        (StatsFilter(date_from=today - dt.timedelta(days=30), date_to=today), visible),
        (
            StatsFilter(date_from=today - dt.timedelta(days=30), date_to=today, level="general"),
            visible.filter(level="general"),
        ),
    ):
        by_category = {c["category"]: c["received"] for c in stats_dashboard(manager, f)["category_mix"]}
        direct = {}
        for order in orders.select_related("category"):
            key = Category.objects.get(code=order.category.code[:2]).pk if order.category_id else 0
            direct[key] = direct.get(key, 0) + 1
        assert by_category == direct, (f.level, by_category, direct)


def test_pivot_cells_and_totals(dataset, users):
    manager = users["manager"]
    p = stats_pivot(manager, StatsFilter(), rows="day", cols="level")
    visible = complaints(workorders_visible_to(manager))
    assert p["total"] == visible.count() and sum(p["row_totals"]) == p["total"] == sum(p["col_totals"])
    for i, row in enumerate(p["rows"]):
        day = dt.date.fromisoformat(row["key"])
        for j, col in enumerate(p["cols"]):
            n = visible.filter(
                received_at__gte=day_start(day),
                received_at__lt=day_start(day + dt.timedelta(days=1)),
                level=col["key"],
            ).count()
            assert (p["cells"][i][j] or 0) == n
    rates = stats_pivot(manager, StatsFilter(), rows="category1", measure="on_time_rate")
    assert rates["total"] == stats_summary(manager, StatsFilter())["on_time_rate"]
    hours = stats_pivot(manager, StatsFilter(), rows="month", cols="channel", measure="avg_handling_hours")
    assert hours["total"] == stats_summary(manager, StatsFilter())["avg_handling_hours"]
    first = stats_pivot(manager, StatsFilter(), rows="department", measure="first_callback_satisfaction_rate")
    assert first["total"] == stats_summary(manager, StatsFilter())["first_callback_satisfaction_rate"]
    # Merged and dismissed orders have measures of their own, by any dimension.
    every = workorders_visible_to(manager)
    for measure, outcome in (("merged", "merged"), ("dismissed", "not_established")):
        by_channel = stats_pivot(manager, StatsFilter(), rows="channel", measure=measure)
        assert by_channel["total"] == every.filter(outcome=outcome).count() == 1
        for row, n in zip(by_channel["rows"], by_channel["row_totals"], strict=True):
            assert n == every.filter(outcome=outcome, channel=row["key"]).count(), (measure, row)


def _table(model, fields):
    rows = model.objects.values(*fields)
    return sorted(
        (tuple(r.values()) for r in rows if any(v for k, v in r.items() if k not in DAILY_KEY)), key=str
    )


def test_rebuild_gives_the_same_aggregates_as_the_hook(dataset, users):
    from workorders.models import DAILY_MEASURES, StatsCategoryDaily

    category_fields = ["day", "unit_id", "department_id", "category1_id", "received"]
    incremental_categories = sorted(
        (tuple(r.values()) for r in StatsCategoryDaily.objects.values(*category_fields) if r["received"]),
        key=str,
    )
    assert incremental_categories

    fields = list(DAILY_KEY) + list(DAILY_MEASURES)
    incremental = _table(StatsDaily, fields)
    open_fields = [
        "unit_id",
        "department_id",
        "category_id",
        "channel",
        "level",
        "status",
        "count",
        "overdue",
    ]
    incremental_open = sorted(
        (tuple(r.values()) for r in StatsOpen.objects.values(*open_fields) if r["count"]), key=str
    )
    assert incremental
    stats_rebuild()
    assert _table(StatsDaily, fields) == incremental
    assert (
        sorted(
            (tuple(r.values()) for r in StatsCategoryDaily.objects.values(*category_fields) if r["received"]),
            key=str,
        )
        == incremental_categories
    )
    assert (
        sorted((tuple(r.values()) for r in StatsOpen.objects.values(*open_fields) if r["count"]), key=str)
        == incremental_open
    )
    # A ranged rebuild leaves the same figures too.
    d1, _d2, d3 = dataset["days"]
    stats_rebuild(date_from=d1, date_to=d3)
    assert _table(StatsDaily, fields) == incremental
    check(users["manager"], StatsFilter())


def test_pivot_by_truthfulness_and_satisfaction(dataset, users):
    manager = users["manager"]
    visible = complaints(workorders_visible_to(manager))
    p = stats_pivot(manager, StatsFilter(), rows="truthfulness", cols="unit")
    by_key = dict(zip((r["key"] for r in p["rows"]), p["row_totals"], strict=True))
    for code in ("true", "partly_true", "not_true", ""):
        assert by_key.get(code, 0) == visible.filter(truthfulness=code).count(), code
    assert p["total"] == visible.count()
    s = stats_pivot(manager, StatsFilter(), rows="level", cols="satisfaction")
    for i, row in enumerate(s["rows"]):
        for j, col in enumerate(s["cols"]):
            assert (s["cells"][i][j] or 0) == visible.filter(
                level=row["key"], satisfaction=col["key"]
            ).count()
    from config.api import DomainError

    with pytest.raises(DomainError):
        stats_pivot(manager, StatsFilter(), rows="truthfulness", cols="satisfaction")


def test_unit_rollup_equals_the_daily_table_grouped(dataset, users, depts):
    from django.db.models import Sum

    from workorders.models import DAILY_MEASURES, StatsUnitDaily

    def grouped(model):
        rows = (
            model.objects.values("day", "unit_id", "department_id")
            .annotate(**{f"s_{m}": Sum(m) for m in DAILY_MEASURES})
            .order_by()
        )
        return {
            (r["day"], r["unit_id"], r["department_id"]): {m: r[f"s_{m}"] for m in DAILY_MEASURES}
            for r in rows
            if r["s_received"]
        }

    assert grouped(StatsUnitDaily) == grouped(StatsDaily)
    stats_rebuild()
    assert grouped(StatsUnitDaily) == grouped(StatsDaily)
    # The dashboard reads the roll-up without fine filters and the full table with them: same figures.
    manager = users["manager"]
    assert (
        stats_summary(manager, StatsFilter(department=depts["BJ-YJ"].pk))["received"]
        == stats_summary(manager, StatsFilter(department=depts["BJ-YJ"].pk, level="general"))["received"]
        + stats_summary(manager, StatsFilter(department=depts["BJ-YJ"].pk, level="important"))["received"]
    )


def test_rebuild_command_repairs_a_damaged_aggregate(dataset, users):
    from django.core.management import call_command
    from django.db.models import F

    want = stats_summary(users["manager"], StatsFilter())
    StatsDaily.objects.update(received=F("received") + 5)
    from workorders.models import StatsUnitDaily

    StatsUnitDaily.objects.update(received=F("received") + 5)
    assert stats_summary(users["manager"], StatsFilter())["received"] != want["received"]
    d1, _d2, d3 = dataset["days"]
    call_command("stats_rebuild", "--from", d1.isoformat(), "--to", d3.isoformat())
    assert stats_summary(users["manager"], StatsFilter(date_from=d1, date_to=d3)) == want


def test_a_sweep_batch_keeps_the_aggregates_equal_to_a_rebuild(dataset, users):
    """The sweep refreshes a batch of orders at once (``stats_refresh_orders``): the summed deltas
    leave the same aggregates as a rebuild, and the figures equal the direct counts."""
    from datetime import timedelta

    from django.utils import timezone

    from workorders.deadlines.sweep import sweep
    from workorders.models import DAILY_MEASURES

    result = sweep(now=timezone.now() + timedelta(days=60))
    assert result.breaches > 1 and result.batches >= 1
    open_fields = [
        "unit_id",
        "department_id",
        "category_id",
        "channel",
        "level",
        "status",
        "count",
        "overdue",
    ]
    fields = list(DAILY_KEY) + list(DAILY_MEASURES)

    def open_rows():
        return sorted(
            (tuple(r.values()) for r in StatsOpen.objects.values(*open_fields) if r["count"]), key=str
        )

    incremental, incremental_open = _table(StatsDaily, fields), open_rows()
    assert any(row[-1] for row in incremental_open)  # open orders are overdue now
    stats_rebuild()
    assert _table(StatsDaily, fields) == incremental and open_rows() == incremental_open
    check(users["manager"], StatsFilter())
