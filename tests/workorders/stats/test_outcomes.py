"""Outcomes and volumes say what happened (issue 11, item 8).

A merged duplicate or an order dismissed as not established (不成立) is not a complaint: from the
moment it is closed so, it leaves 受理量, 万户投诉率 and the repeat rate and counts on its own.
The first-callback satisfaction rate reads the first reached callback, the satisfaction rate the last.
"""

import pytest
from django.utils import timezone

from tests.builders import category
from workorders.models import Outcome, WorkOrder
from workorders.selectors import workorders_visible_to
from workorders.stats.aggregates import stats_rebuild
from workorders.stats.reads import StatsFilter, stats_dashboard, stats_pivot, stats_summary

from .test_figures import check

pytestmark = pytest.mark.django_db

ACCOUNT, PHONE = "3305558801", "13955558801"
CUSTOMER = {"account_no": ACCOUNT, "phone": PHONE}


def per_10k(manager, unit):
    d = stats_dashboard(manager, StatsFilter())
    return next(u for u in d["per_10k"] if u["unit"] == unit.pk)


def test_merged_and_dismissed_orders_leave_received_per_10k_and_the_repeat_rate(build, users):
    manager = users["manager"]
    handled = build.order("closed", **CUSTOMER)
    repeat = build.register(category=category("040101"), **CUSTOMER)
    assert repeat.is_repeat and repeat.repeat_of_id == handled.pk
    duplicate = build.register(**CUSTOMER)
    unit = handled.unit
    before = check(manager, StatsFilter())
    assert (before["received"], before["merged"], before["dismissed"]) == (3, 0, 0)
    assert before["repeat_rate"] == round(1 / 3, 4)
    assert per_10k(manager, unit)["received"] == 3

    # The duplicate is merged into the repeat order: that order is urged, the duplicate leaves received.
    build.do(duplicate, "merge", "dispatcher", into=repeat.pk)
    merged = check(manager, StatsFilter())
    assert (merged["received"], merged["open"], merged["merged"], merged["dismissed"]) == (2, 1, 1, 0)
    assert merged["urge_rate"] == 0.5 and merged["repeat_rate"] == 0.5

    # The repeat order is dismissed: no longer a complaint, so no longer a repeat complaint either.
    build.do(repeat, "dismiss", "supervisor", reason="经核实不属于供电企业责任")
    after = check(manager, StatsFilter())
    assert (after["received"], after["open"], after["closed"]) == (1, 0, 1)
    assert (after["merged"], after["dismissed"]) == (1, 1)
    assert after["repeat_rate"] == 0.0 and after["urge_rate"] == 0.0
    row = per_10k(manager, unit)
    assert row["received"] == 1 and row["per_10k"] == round(10000 / unit.customer_count, 2)
    d = stats_dashboard(manager, StatsFilter())
    assert (d["totals"]["received"], d["totals"]["merged"], d["totals"]["dismissed"]) == (1, 1, 1)
    assert (
        sum(day["received"] for day in d["trend"]) == 1 and sum(c["received"] for c in d["category_mix"]) == 1
    )

    # The pivot: the count is complaints; merged and dismissed orders have measures of their own.
    today = timezone.localdate().isoformat()
    assert stats_pivot(manager, StatsFilter(), rows="day", measure="count")["total"] == 1
    for measure in ("merged", "dismissed"):
        p = stats_pivot(manager, StatsFilter(), rows="day", measure=measure)
        assert [r["key"] for r in p["rows"]] == [today] and p["total"] == 1
    # A rebuild from the orders gives the same figures as the hook kept.
    stats_rebuild()
    assert stats_summary(manager, StatsFilter()) == after


def test_the_summary_api_shows_merged_and_dismissed_on_their_own(build, api_client_for):
    build.order("closed")
    build.do(build.register(), "dismiss", "supervisor", reason="不成立")
    target = build.order("processing")
    build.do(build.register(), "merge", "dispatcher", into=target.pk)
    body = api_client_for("manager").get("/api/v1/stats/summary/").json()
    assert (body["received"], body["open"], body["closed"]) == (2, 1, 1)
    assert (body["merged"], body["dismissed"]) == (1, 1)
    visible = workorders_visible_to(build.users["manager"])
    assert body["merged"] == visible.filter(outcome=Outcome.MERGED).count()
    assert body["dismissed"] == visible.filter(outcome=Outcome.NOT_ESTABLISHED).count()


def test_first_callback_rate_differs_from_the_final_satisfaction_rate(build, users, api_client_for):
    manager = users["manager"]
    reopened = build.order("callback")
    build.callback(reopened, satisfaction="unsatisfied")  # the problem was not dealt with: reopened
    build.reply(reopened)
    build.approve(reopened)
    reopened = build.callback(reopened, satisfaction="satisfied")
    assert reopened.status == "closed" and reopened.reopen_count == 1
    assert (reopened.first_satisfaction, reopened.satisfaction) == ("unsatisfied", "satisfied")

    got = check(manager, StatsFilter())
    assert got["satisfaction_rate"] == 1.0 and got["first_callback_satisfaction_rate"] == 0.0

    build.order("closed", satisfaction="basically_satisfied")
    got = check(manager, StatsFilter())
    assert got["satisfaction_rate"] == 1.0 and got["first_callback_satisfaction_rate"] == 0.5
    body = api_client_for("manager").get("/api/v1/stats/summary/").json()
    assert body["satisfaction_rate"] == 1.0 and body["first_callback_satisfaction_rate"] == 0.5
    d = stats_dashboard(manager, StatsFilter())
    assert d["totals"]["first_callback_satisfaction_rate"] == 0.5
    p = stats_pivot(manager, StatsFilter(), rows="department", measure="first_callback_satisfaction_rate")
    assert p["total"] == 0.5
    # An order without a reached callback yet is not in the denominator.
    build.order("callback")
    assert check(manager, StatsFilter())["first_callback_satisfaction_rate"] == 0.5
    stats_rebuild()
    assert stats_summary(manager, StatsFilter())["first_callback_satisfaction_rate"] == 0.5
    assert WorkOrder.objects.exclude(first_satisfaction="").count() == 2
