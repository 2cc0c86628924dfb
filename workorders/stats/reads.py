"""Statistics reads: the filter, the scope, the dashboard, the summary and the pivot.

They read only the aggregate tables (``StatsDaily``, ``StatsUnitDaily``, ``StatsOpen``), so their cost
grows with the number of dimension combinations, not with the number of orders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Department, User
from accounts.roles import COMPANY_ROLES, STATISTICS_ROLES, Role
from accounts.selectors import user_covered_departments, user_covers_every_department
from complaints.models import Category, Channel
from config.errors import DomainError

from ..models import (
    DAILY_MEASURES,
    HANDLING_BUCKET_EDGES,
    HANDLING_BUCKETS,
    STAT_STAGES,
    Level,
    Satisfaction,
    StatsCategoryDaily,
    StatsDaily,
    StatsOpen,
    StatsUnitDaily,
    Status,
    Truthfulness,
)


def _rate(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def p90_hours(row: dict) -> float | None:
    n = row.get("handled") or 0
    if not n:
        return None
    target = 0.9 * n
    cumulative = 0
    lower = 0
    for i in range(HANDLING_BUCKETS):
        count = row.get(f"hb_{i}") or 0
        upper = HANDLING_BUCKET_EDGES[i] if i < len(HANDLING_BUCKET_EDGES) else None
        if count and cumulative + count >= target:
            if upper is None:
                return float(lower)
            return round(lower + (upper - lower) * (target - cumulative) / count, 1)
        cumulative += count
        lower = upper if upper is not None else lower
    return float(lower)


def _measure(name: str) -> Callable[[dict], int]:
    return lambda row: row.get(name) or 0


# Every rate of the statistics, once: name → (numerator, denominator), each a function of a row of
# summed measures. The dashboard, the summary API, the pivot and the reports all read this table.
RATES: dict[str, tuple[Callable[[dict], int], Callable[[dict], int]]] = {
    "on_time_rate": (lambda r: (r.get("handled") or 0) - (r.get("handled_late") or 0), _measure("handled")),
    "satisfaction_rate": (_measure("satisfied"), _measure("evaluated")),
    # 一次回访满意率: the rating of the first callback that reached the customer, whatever came after.
    "first_callback_satisfaction_rate": (_measure("first_satisfied"), _measure("first_evaluated")),
    "repeat_rate": (_measure("repeat"), _measure("received")),
    "truthfulness_rate": (_measure("truthful"), _measure("replied")),
    "urge_rate": (_measure("urged"), _measure("received")),
    # 内部催办率: complaints the centre had to urge (催办 to the department), of those received.
    "internal_urge_rate": (_measure("internal_urged"), _measure("received")),
    "return_rate": (_measure("returned"), _measure("received")),
    "reject_rate": (_measure("rejected"), _measure("replied")),
    "reopen_rate": (_measure("reopened"), _measure("closed")),
}


def rate(row: dict, name: str) -> float | None:
    numerator, denominator = RATES[name]
    return _rate(numerator(row), denominator(row))


def avg_handling_hours(row: dict) -> float | None:
    handled = row.get("handled") or 0
    return round((row.get("handling_seconds") or 0) / handled / 3600, 1) if handled else None


def derived(row: dict) -> dict:
    """The counts, rates and averages of a row of summed measures."""
    return {
        "received": row.get("received") or 0,
        "open": row.get("open") or 0,
        "closed": row.get("closed") or 0,
        # Not complaints, so not in the figures above: merged into another order, dismissed (不成立).
        "merged": row.get("merged") or 0,
        "dismissed": row.get("dismissed") or 0,
        # Complaints suspended (挂起) at least once, and closed as service terminated (服务终止).
        "suspended": row.get("suspended") or 0,
        "terminated": row.get("terminated") or 0,
        # Complaints the centre urged (催办 to the handling department) at least once.
        "internal_urged": row.get("internal_urged") or 0,
        # 12398 / 12345 orders and the replies sent back to those platforms.
        "platform_received": row.get("platform") or 0,
        "platform_replied": row.get("platform_replied") or 0,
        "platform_replied_late": row.get("platform_late") or 0,
        "platform_satisfaction_rate": _rate(
            row.get("platform_satisfied") or 0, row.get("platform_evaluated") or 0
        ),
        "overdue": row.get("overdue_open") or 0,
        "breached": row.get("breached") or 0,
        **{name: rate(row, name) for name in RATES},
        "avg_handling_hours": avg_handling_hours(row),
        "p90_handling_hours": p90_hours(row),
        "stage_on_time": {
            s: _rate((row.get(f"done_{s}") or 0) - (row.get(f"late_{s}") or 0), row.get(f"done_{s}") or 0)
            for s in STAT_STAGES
        },
    }


def department_ranking(rows: list[dict]) -> list[dict]:
    """Departments from rows of measures summed by ``department_id``, best first: on-time rate,
    then satisfaction rate, then volume (the one ranking of the dashboard and the reports)."""
    names = _names(Department, [r["department_id"] for r in rows])
    ranking = []
    for r in rows:
        d = derived(r)
        ranking.append(
            {
                "department": r["department_id"],
                "name": names.get(r["department_id"], "?"),
                "received": d["received"],
                "open": d["open"],
                "overdue": d["overdue"],
                "internal_urged": d["internal_urged"],
                "on_time_rate": d["on_time_rate"],
                "satisfaction_rate": d["satisfaction_rate"],
                "avg_handling_hours": d["avg_handling_hours"],
            }
        )
    ranking.sort(
        key=lambda x: (
            -(x["on_time_rate"] if x["on_time_rate"] is not None else -1),
            -(x["satisfaction_rate"] if x["satisfaction_rate"] is not None else -1),
            -x["received"],
        )
    )
    return ranking


@dataclass
class StatsFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    unit: int | None = None
    department: int | None = None
    category: str | None = None  # id or code prefix, as in the order list
    channel: str | None = None
    level: str | None = None

    def query_params(self, **extra) -> dict:
        """The order list's filter names (workorders/filters.py) for a drill-down link."""
        params = {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "unit": self.unit,
            "department": self.department,
            "category": self.category,
            "channel": self.channel,
            "level": self.level,
        }
        params.update(extra)
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in params.items()
            if v not in (None, "")
        }


def category_ids(value: str | None) -> list[int] | None:
    """Leaf-or-any category ids matching an id or a code prefix (and their descendants)."""
    if not value:
        return None
    if value.startswith("0"):
        return list(Category.objects.filter(code__startswith=value).values_list("pk", flat=True))
    if value.isdigit():
        cat = Category.objects.filter(pk=int(value)).first()
        return [cat.pk] if cat else []
    return []


def scope_q(user: User | Department) -> Q:
    """The aggregate rows of the orders the user may see (company roles: by unit or department).

    ``user`` may also be a Department: its subtree (what a supervisor or manager there sees).
    """
    if isinstance(user, Department):
        covered = list(user.subtree().values_list("pk", flat=True))
        return Q(unit_id__in=covered) | Q(department_id__in=covered)
    if user.has_role(Role.ADMIN):
        return Q()
    if user_covers_every_department(user, roles=COMPANY_ROLES):
        return Q()  # covers every department: no filter (lets the day index do the work)
    covered = list(user_covered_departments(user, roles=COMPANY_ROLES).values_list("pk", flat=True))
    return Q(unit_id__in=covered) | Q(department_id__in=covered)


def can_see_statistics(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.has_role(*STATISTICS_ROLES)


FINE_DIMENSIONS = {"category1", "category2", "category3", "channel", "level"}


def daily_model(f: StatsFilter, *dimensions: str | None) -> type[StatsDaily] | type[StatsUnitDaily]:
    """The smallest aggregate that answers: the (day, unit, department) roll-up unless a category,
    channel or level filter or dimension needs the full daily table."""
    if f.category or f.channel or f.level or FINE_DIMENSIONS & set(dimensions):
        return StatsDaily
    return StatsUnitDaily


def _filtered(
    model: type[Model],
    user: User | Department | Q,
    f: StatsFilter,
    *,
    dates: bool = True,
    dims: tuple[str | None, ...] = (),
) -> QuerySet:
    if model is StatsDaily:
        model = daily_model(f, *dims)
    qs = model.objects.filter(user if isinstance(user, Q) else scope_q(user))  # a Q: the scope, computed once
    if dates and f.date_from:
        qs = qs.filter(day__gte=f.date_from)
    if dates and f.date_to:
        qs = qs.filter(day__lte=f.date_to)
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.department:
        qs = qs.filter(department_id=f.department)
    ids = category_ids(f.category)
    if ids is not None:
        qs = qs.filter(category_id__in=ids)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.level:
        qs = qs.filter(level=f.level)
    return qs


def _sum_rows(
    qs: QuerySet, group: tuple[str, ...] = (), measures: tuple[str, ...] = DAILY_MEASURES
) -> list[dict[str, Any]]:
    aggs = {m: Sum(m) for m in measures}
    if group:
        return list(qs.values(*group).annotate(**aggs).order_by())
    return [qs.aggregate(**aggs)]


def _regroup(
    rows: list[dict[str, Any]], group: tuple[str, ...], measures: tuple[str, ...] = DAILY_MEASURES
) -> list[dict[str, Any]]:
    """``_sum_rows`` of finer grouped rows, summed again in Python by ``group`` (a coarser key);
    ``()``: one total row, each measure None when there are no rows (as ``aggregate`` gives)."""
    out: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[g] for g in group)
        acc = out.get(key)
        if acc is None:
            acc = out[key] = {**{g: row[g] for g in group}, **dict.fromkeys(measures)}
        for m in measures:
            value = row.get(m)
            if value is not None:
                acc[m] = (acc[m] or 0) + value
    if not group and not out:
        return [dict.fromkeys(measures)]
    return list(out.values())


def stats_summary(user: User | Department, f: StatsFilter) -> dict:
    """The design.md summary: totals and rates of the orders received in the range, scoped."""
    row = _sum_rows(_filtered(StatsDaily, user, f))[0]
    return derived(row)


def _names(model: type[Model], ids: Iterable[int]) -> dict[int, str]:
    return dict(model.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def stats_dashboard(user: User, f: StatsFilter, *, today: dt.date | None = None) -> dict:
    """Every figure of the manager dashboard, from the aggregate tables only."""
    scope = scope_q(user)  # once for every figure below (each asked the user's scope again)
    today = today or timezone.localdate()
    date_to = f.date_to or today
    date_from = f.date_from or date_to - dt.timedelta(days=29)
    f = StatsFilter(**{**f.__dict__, "date_from": date_from, "date_to": date_to})
    undated = StatsFilter(**{**f.__dict__, "date_from": None, "date_to": None})

    # Received per day: 90-day trend and the period comparisons (today, week, month).
    trend_from = min(
        date_to - dt.timedelta(days=89),
        today.replace(day=1) - dt.timedelta(days=31),
        today - dt.timedelta(days=14),
    )
    per_day = {
        r["day"]: r
        for r in _sum_rows(
            _filtered(StatsDaily, scope, undated).filter(day__gte=trend_from, day__lte=max(date_to, today)),
            ("day",),
            ("received", "closed", "handled", "handled_late", "satisfied", "evaluated"),
        )
    }

    def received_between(a: dt.date, b: dt.date) -> int:
        return sum((per_day[d]["received"] or 0) for d in per_day if a <= d <= b)

    week_start = today - dt.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    prev_month_end = month_start - dt.timedelta(days=1)
    prev_month_start = prev_month_end.replace(day=1)
    prev_month_same = min(prev_month_start + (today - month_start), prev_month_end)
    periods = []
    for code, label, cur, prev in (
        ("today", _("Today"), (today, today), (today - dt.timedelta(days=1),) * 2),
        (
            "week",
            _("This week"),
            (week_start, today),
            (week_start - dt.timedelta(days=7), today - dt.timedelta(days=7)),
        ),
        ("month", _("This month"), (month_start, today), (prev_month_start, prev_month_same)),
    ):
        now_n, before = received_between(*cur), received_between(*prev)
        periods.append(
            {
                "code": code,
                "label": label,
                "received": now_n,
                "previous": before,
                "change": _rate(now_n - before, before),
                "link": StatsFilter(**{**f.__dict__, "date_from": cur[0], "date_to": cur[1]}).query_params(),
            }
        )
    trend = []
    d = date_to - dt.timedelta(days=89)
    while d <= date_to:
        r = per_day.get(d, {})
        trend.append(
            {"day": d.isoformat(), "received": r.get("received") or 0, "closed": r.get("closed") or 0}
        )
        d += dt.timedelta(days=1)

    daily = _filtered(StatsDaily, scope, f)
    # The totals, the units and the department ranking from one pass over the period's rows, by
    # (unit, department): three scans summing 63 measures took ~35 ms for a year, one takes ~15.
    by_unit_dept = _sum_rows(daily, ("unit_id", "department_id"))
    totals = derived(_regroup(by_unit_dept, ())[0])

    # Open now, by stage, and overdue now (all open orders, whatever their received day).
    open_rows = _sum_rows(
        _filtered(StatsOpen, scope, undated, dates=False), ("status",), ("count", "overdue")
    )
    open_by = {r["status"]: r for r in open_rows}
    open_stages = [
        {
            "status": s.value,
            "label": str(s.label),
            "count": (open_by.get(s.value) or {}).get("count") or 0,
            "link": undated.query_params(status=s.value),
        }
        for s in Status
        if s != Status.CLOSED
    ]
    overdue_now = sum((r["overdue"] or 0) for r in open_rows)

    # By unit: received, per 10,000 customers.
    unit_rows = _regroup(by_unit_dept, ("unit_id",))
    units = Department.objects.filter(pk__in=[r["unit_id"] for r in unit_rows]).values(
        "pk", "name", "customer_count"
    )
    unit_info = {u["pk"]: u for u in units}
    per_10k = []
    for r in sorted(unit_rows, key=lambda r: -(r["received"] or 0)):
        u = unit_info.get(r["unit_id"], {})
        customers = u.get("customer_count") or 0
        per_10k.append(
            {
                "unit": r["unit_id"],
                "name": u.get("name", "?"),
                "received": r["received"] or 0,
                "customers": customers,
                "per_10k": round((r["received"] or 0) * 10000 / customers, 2) if customers else None,
                "link": f.query_params(unit=r["unit_id"]),
            }
        )

    # Category mix (first level).
    mix = defaultdict(int)
    if f.category or f.channel or f.level:
        cat_rows = _sum_rows(
            _filtered(StatsDaily, scope, f, dims=("category1",)), ("category_id",), ("received",)
        )
        level1 = _category_ancestors(1)
        for r in cat_rows:
            mix[level1.get(r["category_id"], 0)] += r["received"] or 0
    else:  # the (day, unit, department, first-level category) roll-up: a year stays small
        for r in _sum_rows(_filtered(StatsCategoryDaily, scope, f), ("category1_id",), ("received",)):
            mix[r["category1_id"]] += r["received"] or 0
    cat_names = dict(Category.objects.filter(level=1).values_list("pk", "name"))
    cat_codes = dict(Category.objects.values_list("pk", "code"))
    category_mix = [
        {
            "category": k,
            "name": cat_names.get(k, _("Unclassified")),
            "received": v,
            "link": f.query_params(category=cat_codes.get(k)) if k else f.query_params(),
        }
        for k, v in sorted(mix.items(), key=lambda kv: -kv[1])
    ]

    # Department ranking.
    ranking = department_ranking(
        _regroup([r for r in by_unit_dept if r["department_id"] != 0], ("department_id",))
    )
    for entry in ranking:
        entry["link"] = f.query_params(department=entry["department"])

    # Hotspots: units and second-level categories rising fastest this week (last 7 days vs the 7 before).
    this_from, last_from = today - dt.timedelta(days=6), today - dt.timedelta(days=13)
    recent = _filtered(StatsDaily, scope, undated, dims=("category2",)).filter(
        day__gte=last_from, day__lte=today
    )
    hot_rows = _sum_rows(recent, ("unit_id", "category_id", "day"), ("received",))
    level2 = _category_ancestors(2)
    by_unit, by_cat = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for r in hot_rows:
        i = 0 if r["day"] >= this_from else 1
        by_unit[r["unit_id"]][i] += r["received"] or 0
        by_cat[level2.get(r["category_id"], 0)][i] += r["received"] or 0
    hot_names = _names(Department, by_unit) | {}
    cat2_names = dict(Category.objects.filter(level=2).values_list("pk", "name"))
    week = {"date_from": this_from.isoformat(), "date_to": today.isoformat()}

    def hot(
        items: dict[int, list[int]],
        names: dict[int, str],
        param: str,
        codes: dict[int, str] | None = None,
    ) -> list[dict]:
        out = []
        for k, (now_n, before) in items.items():
            if not k or now_n <= before:
                continue
            out.append(
                {
                    "key": k,
                    "name": names.get(k, "?"),
                    "this_week": now_n,
                    "last_week": before,
                    "rise": now_n - before,
                    "change": _rate(now_n - before, before),
                    "link": {**undated.query_params(), **week, param: codes[k] if codes else k},
                }
            )
        return sorted(out, key=lambda x: (-x["rise"], -x["this_week"]))[:5]

    return {
        "date_from": date_from,
        "date_to": date_to,
        "today": today,
        "periods": periods,
        "totals": totals,
        "open_stages": open_stages,
        "overdue_now": overdue_now,
        "overdue_link": undated.query_params(overdue="true"),
        "per_10k": per_10k,
        "category_mix": category_mix,
        "ranking": ranking,
        "trend": trend,
        "hot_units": hot(by_unit, hot_names, "unit"),
        "hot_categories": hot(by_cat, cat2_names, "category", cat_codes),
        "links": {
            "received": f.query_params(),
            "closed": f.query_params(status="closed"),
            "open": f.query_params(status=[s for s in Status.values if s != Status.CLOSED]),
            "repeat": f.query_params(repeat="true"),
        },
    }


def _category_ancestors(level: int) -> dict[int, int]:
    """category id → id of its ancestor at ``level`` (itself when at that level)."""
    cats = {c["pk"]: c for c in Category.objects.values("pk", "parent_id", "level")}
    out = {}
    for pk, c in cats.items():
        node = c
        while node is not None and node["level"] > level:
            node = cats.get(node["parent_id"])
        if node is not None and node["level"] == level:
            out[pk] = node["pk"]
    return out


# --- pivot ----------------------------------------------------------------------------------------

PIVOT_DIMENSIONS = {
    "day": ("day", gettext_lazy("Day")),
    "week": ("day", gettext_lazy("Week")),
    "month": ("day", gettext_lazy("Month")),
    "unit": ("unit_id", gettext_lazy("Unit")),
    "department": ("department_id", gettext_lazy("Department")),
    "category1": ("category_id", gettext_lazy("Category (level 1)")),
    "category2": ("category_id", gettext_lazy("Category (level 2)")),
    "category3": ("category_id", gettext_lazy("Category (level 3)")),
    "channel": ("channel", gettext_lazy("Channel")),
    "level": ("level", gettext_lazy("Level")),
    # Counted in columns (truth_<code>, sat_<code>) rather than keyed: only the count measure.
    "truthfulness": (None, gettext_lazy("Truthfulness")),
    "satisfaction": (None, gettext_lazy("Satisfaction")),
}
COLUMN_DIMENSIONS = {"truthfulness": ("truth_", Truthfulness), "satisfaction": ("sat_", Satisfaction)}
PIVOT_MEASURES = {
    "count": (gettext_lazy("Count"), ("received",), lambda r: r.get("received") or 0),
    "on_time_rate": (
        gettext_lazy("On-time rate"),
        ("handled", "handled_late"),
        lambda r: rate(r, "on_time_rate"),
    ),
    "avg_handling_hours": (
        gettext_lazy("Average handling time (hours)"),
        ("handled", "handling_seconds"),
        avg_handling_hours,
    ),
    "satisfaction_rate": (
        gettext_lazy("Satisfaction rate"),
        ("satisfied", "evaluated"),
        lambda r: rate(r, "satisfaction_rate"),
    ),
    "truthfulness_rate": (
        gettext_lazy("Truthfulness rate"),
        ("truthful", "replied"),
        lambda r: rate(r, "truthfulness_rate"),
    ),
    "repeat_rate": (gettext_lazy("Repeat rate"), ("repeat", "received"), lambda r: rate(r, "repeat_rate")),
    "first_callback_satisfaction_rate": (
        gettext_lazy("First-callback satisfaction rate"),
        ("first_satisfied", "first_evaluated"),
        lambda r: rate(r, "first_callback_satisfaction_rate"),
    ),
    # Orders that are not complaints (not in the count above), each kind on its own.
    "merged": (gettext_lazy("Merged duplicates"), ("merged",), lambda r: r.get("merged") or 0),
    "dismissed": (
        gettext_lazy("Dismissed (not established)"),
        ("dismissed",),
        lambda r: r.get("dismissed") or 0,
    ),
    "suspended": (gettext_lazy("Suspended"), ("suspended",), lambda r: r.get("suspended") or 0),
    "terminated": (gettext_lazy("Service terminated"), ("terminated",), lambda r: r.get("terminated") or 0),
    "internal_urged": (
        gettext_lazy("Urged by the centre"),
        ("internal_urged",),
        lambda r: r.get("internal_urged") or 0,
    ),
    "platform": (gettext_lazy("12398/12345 orders"), ("platform",), lambda r: r.get("platform") or 0),
    "platform_replied_late": (
        gettext_lazy("Replied late to the platform"),
        ("platform_late",),
        lambda r: r.get("platform_late") or 0,
    ),
}


def _dimension_mapper(dim: str) -> tuple[Callable[[Any], Any], Callable[[Any], str]]:
    """(function base value → pivot key, function key → label) for one dimension."""
    if dim == "day":
        return (lambda v: v.isoformat()), (lambda k: k)
    if dim == "week":

        def week(v: dt.date) -> str:
            y, w, _d = v.isocalendar()
            return f"{y}-W{w:02d}"

        return week, (lambda k: k)
    if dim == "month":
        return (lambda v: v.strftime("%Y-%m")), (lambda k: k)
    if dim in ("unit", "department"):
        names = dict(Department.objects.values_list("pk", "name"))
        return (lambda v: v), (lambda k: names.get(k, str(_("None"))) if k else str(_("None")))
    if dim.startswith("category"):
        level = int(dim[-1])
        anc = _category_ancestors(level)
        names = dict(Category.objects.filter(level=level).values_list("pk", "name"))
        return (lambda v: anc.get(v, 0)), (
            lambda k: names.get(k, str(_("Unclassified"))) if k else str(_("Unclassified"))
        )
    choices = {
        "channel": Channel,
        "level": Level,
        "truthfulness": Truthfulness,
        "satisfaction": Satisfaction,
    }[dim]
    labels = dict(choices.choices)
    return (lambda v: v), (lambda k: str(labels.get(k, _("None"))) if k else str(_("None")))


def stats_pivot(
    user: User | Department, f: StatsFilter, *, rows: str, cols: str | None = None, measure: str = "count"
) -> dict:
    """A pivot table over the aggregate: {rows, cols, cells, row_totals, col_totals, total}."""
    label, needed, value = PIVOT_MEASURES[measure]
    virtual = [d for d in (rows, cols) if d in COLUMN_DIMENSIONS]
    if virtual and (measure != "count" or len(virtual) == 2):
        raise DomainError(
            _(
                "Truthfulness and satisfaction can be combined only with other dimensions and the "
                "count measure."
            ),
            code="invalid",
        )
    if virtual:
        prefix, choices = COLUMN_DIMENSIONS[virtual[0]]
        needed = ("received", *(f"{prefix}{v}" for v in choices.values))
    row_field = PIVOT_DIMENSIONS[rows][0]
    col_field = PIVOT_DIMENSIONS[cols][0] if cols else None
    group = tuple(dict.fromkeys(x for x in (row_field, col_field) if x))
    data = _sum_rows(_filtered(StatsDaily, user, f, dims=(rows, cols)), group, needed)
    row_map, row_label = _dimension_mapper(rows)
    col_map, col_label = _dimension_mapper(cols) if cols else ((lambda v: ""), (lambda k: str(_("Total"))))
    cells, row_sums, col_sums, total = (
        defaultdict(lambda: defaultdict(int)),
        defaultdict(lambda: defaultdict(int)),
        defaultdict(lambda: defaultdict(int)),
        defaultdict(int),
    )

    def add(rk: str | int, ck: str | int, sums: dict[str, int]) -> None:
        for m, v in sums.items():
            cells[(rk, ck)][m] += v
            row_sums[rk][m] += v
            col_sums[ck][m] += v
            total[m] += v

    for r in data:
        if virtual:
            prefix, choices = COLUMN_DIMENSIONS[virtual[0]]
            counted = 0
            other_field = row_field or col_field
            other = (row_map if row_field else col_map)(r[other_field]) if other_field else ""
            splits = [(v, r[f"{prefix}{v}"] or 0) for v in choices.values] + [("", None)]
            for v, n in splits:
                if n is None:
                    n = (r["received"] or 0) - counted
                counted += n
                if n:
                    add(*((other, v) if row_field else (v, other)), {"received": n})
            continue
        add(row_map(r[row_field]), col_map(r[col_field]) if col_field else "", {m: r[m] or 0 for m in needed})

    def order(keys: Iterable[str | int]) -> list[str | int]:
        return sorted(keys, key=lambda k: (k in (0, ""), str(k) if not isinstance(k, int) else f"{k:012d}"))

    row_keys, col_keys = order(row_sums), order(col_sums)
    return {
        "measure": measure,
        "measure_label": str(label),
        "row_dimension": rows,
        "col_dimension": cols or "",
        "rows": [{"key": k, "label": str(row_label(k))} for k in row_keys],
        "cols": [{"key": k, "label": str(col_label(k))} for k in col_keys],
        "cells": [
            [value(cells[(rk, ck)]) if (rk, ck) in cells else None for ck in col_keys] for rk in row_keys
        ],
        "row_totals": [value(row_sums[k]) for k in row_keys],
        "col_totals": [value(col_sums[k]) for k in col_keys],
        "total": value(total),
    }
