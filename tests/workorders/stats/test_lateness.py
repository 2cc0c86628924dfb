"""Lateness is a fact of the deadline row, not of the sweep (issue 11, items 1 and 2).

No test here runs the sweep: every stage is done at a chosen time, and the figures must still say
which stages were late, and whose they were.
"""

import datetime as dt

import pytest

from tests.builders import OrderBuilder
from workorders.models import Deadline, WorkOrderEvent
from workorders.stats.aggregates import stats_rebuild
from workorders.stats.reads import StatsFilter, stats_dashboard, stats_summary

from .conftest import STATS_COMPLAINT, at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 6, 1)  # a working week: 1–5 June 2026


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


@pytest.fixture
def build(users, depts):
    """Each step at its own time, with the clock moved there (input checks read the clock)."""
    return OrderBuilder(users, depts, travel=True, intake=STATS_COMPLAINT)


def handled(build, *, contact_at, reply_at, approve_at, callback_at, department="BJ-YJ"):
    """An order received Monday 09:00 and taken through every stage at the given times."""
    order = build.register(at(MONDAY, 9))
    build.classify(order, at(MONDAY, 9, 10))
    build.assign(order, at(MONDAY, 9, 20), department=department)
    build.accept(order, at(MONDAY, 9, 30))
    build.contact(order, contact_at)
    build.reply(order, reply_at)
    build.approve(order, approve_at)
    return build.callback(order, callback_at)


def test_a_contact_made_after_its_24_hours_counts_late_though_no_sweep_ran(build, users):
    # when: the customer is first contacted 25 hours after the call, every later stage in time
    order = handled(
        build,
        contact_at=at(day(1), 10),
        reply_at=at(day(1), 11),
        approve_at=at(day(1), 13, 40),
        callback_at=at(day(2), 10),
    )
    # then: no sweep recorded anything, yet the contact row is late and the figures say so
    assert not WorkOrderEvent.objects.filter(order=order, action__startswith="deadline_").exists()
    contact = Deadline.objects.get(order=order, stage="contact")
    assert contact.met_at > contact.due_at
    summary = stats_summary(users["manager"], StatsFilter())
    assert summary["stage_on_time"]["contact"] == 0.0
    assert summary["stage_on_time"]["reply"] == 1.0
    assert summary["on_time_rate"] == 0.0  # a customer-facing stage was late
    # and a rebuild from the rows agrees with what the hook kept
    stats_rebuild()
    assert stats_summary(users["manager"], StatsFilter()) == summary


def test_a_reply_within_an_approved_extension_is_on_time(build, users):
    order = build.register(at(MONDAY, 9))
    build.classify(order, at(MONDAY, 9, 10))
    build.assign(order, at(MONDAY, 9, 20))
    build.accept(order, at(MONDAY, 9, 30))
    build.contact(order, at(MONDAY, 10))
    original_due = Deadline.objects.get(order=order, stage="reply").due_at  # four working days
    # given: an extension asked for on Wednesday and approved, to Tuesday of the next week
    extended_to = at(day(8), 18)
    build.do(
        order,
        "request_extension",
        "handler2",
        at(day(2), 10),
        requested_due_at=extended_to,
        reason="需协调施工单位",
        basis="施工计划",
    )
    build.do(order, "decide_extension", "supervisor", at(day(2), 11), approve=True, comment="同意")
    # when: the reply comes after the original due time but within the extension
    reply_at = at(day(8), 9)
    assert original_due < reply_at < extended_to
    build.reply(order, reply_at)
    build.approve(order, at(day(8), 10))
    build.callback(order, at(day(8), 15))
    # then: the reply was on time, and so was the order
    reply = Deadline.objects.get(order=order, stage="reply")
    assert (reply.basis, reply.due_at, reply.met_at <= reply.due_at) == ("extension", extended_to, True)
    summary = stats_summary(users["manager"], StatsFilter())
    assert summary["stage_on_time"]["reply"] == 1.0
    assert summary["on_time_rate"] == 1.0


def test_a_late_review_does_not_lower_the_handling_departments_rate(build, users, depts):
    # when: the department contacts and replies in time, the supervisor approves two days late
    handled(
        build,
        contact_at=at(MONDAY, 10),
        reply_at=at(MONDAY, 15),
        approve_at=at(day(3), 10),
        callback_at=at(day(3), 15),
    )
    summary = stats_summary(users["manager"], StatsFilter())
    # then: the review is late (the supervisors' figure) ...
    assert summary["stage_on_time"]["review"] == 0.0
    # ... but the order and its department are on time
    assert summary["on_time_rate"] == 1.0
    ranking = stats_dashboard(users["manager"], StatsFilter(), today=day(3))["ranking"]
    assert [(r["department"], r["on_time_rate"]) for r in ranking] == [(depts["BJ-YJ"].pk, 1.0)]
