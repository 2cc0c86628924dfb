"""The order's next due time (``next_due_at``, ``next_started_at``): the columns the queues sort on
follow the order's running deadline rows through the lifecycle, a held clock and a recomputation.

Every allowed move of the transition table checks the columns against ``next_due_of`` as well
(``lifecycle/test_transition_table.py``); here the expected value is computed from the rows in Python.
"""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from workorders.deadlines.calendar import invalidate_calendar
from workorders.deadlines.sweep import sweep
from workorders.models import Deadline, WorkCalendarDay, WorkCalendarYear, WorkOrder

from .conftest import deadline, request_extension, sh

pytestmark = pytest.mark.django_db


def running(order):
    """(due, started) of the earliest open, not held row, computed from the rows themselves."""
    rows = [
        row
        for row in Deadline.objects.filter(order=order)
        if row.met_at is None and row.cancelled_at is None and row.held_since is None
    ]
    first = min(rows, key=lambda row: (row.due_at, row.pk), default=None)
    return (first.due_at, first.started_at) if first else (None, None)


def contacted(build):
    """An order received on Monday 3 March 2025 at 10:00, dispatched at once, contacted at 11:00."""
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 11, 0))
    return order


def columns(order):
    return WorkOrder.objects.values_list("next_due_at", "next_started_at").get(pk=order.pk)


def test_a_new_order_counts_down_its_dispatch_clock_and_a_draft_none(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    dispatch = deadline(order, "dispatch")
    assert columns(order) == (dispatch.due_at, sh(2025, 3, 3, 10, 0))
    draft = build.register(sh(2025, 3, 3, 10, 0), draft=True)
    assert columns(draft) == (None, None)


def test_each_step_moves_it_to_the_next_running_clock(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    # dispatched: the 30-minute dispatch clock is met, the first contact leads
    assert columns(order) == running(order) == (deadline(order, "contact").due_at, sh(2025, 3, 3, 10, 0))
    build.accept_and_contact(order, sh(2025, 3, 3, 11, 0))
    assert columns(order) == running(order)
    assert columns(order)[0] == deadline(order, "reply").due_at


def test_a_held_reply_clock_gives_way_and_comes_back_moved(build):
    order = contacted(build)
    reply_due = deadline(order, "reply").due_at
    request_extension(build, order, sh(2025, 3, 6, 10, 0), "2025-03-14T17:30:00+08:00")
    # while the request waits the reply clock is held: the decision's own clock counts down
    assert columns(order) == running(order)
    assert columns(order)[0] != reply_due and columns(order)[0] == deadline(order, "extension").due_at
    build.do(order, "decide_extension", "supervisor", sh(2025, 3, 6, 14, 0), approve=True, comment="同意")
    assert columns(order) == running(order)


def test_a_hold_the_sweep_releases_at_its_ceiling_counts_again(build):
    order = contacted(build)
    request_extension(build, order, sh(2025, 3, 6, 10, 0), "2025-03-14T17:30:00+08:00")
    reply = deadline(order, "reply")
    assert reply.held_since is not None and columns(order)[0] != reply.due_at
    # when nobody decides and the sweep reaches the hold's ceiling (the regulatory limit)
    sweep(now=reply.held_until + timedelta(minutes=1))
    # then the reply clock runs again, behind the (breached) decision clock that still waits
    assert deadline(order, "reply").held_since is None
    assert columns(order) == running(order) == (deadline(order, "extension").due_at, sh(2025, 3, 6, 10, 0))


def test_a_closed_order_has_no_next_due(build):
    order = build.order("closed")
    assert columns(order) == running(order) == (None, None)


def test_recomputing_a_provisional_reply_moves_it(build, django_capture_on_commit_callbacks):
    # an order received on 30 December 2026 and contacted at once: its reply (due in 2027, a year the
    # calendar lacks) is its earliest running clock, computed on plain weekdays (Tuesday 5 January)
    order = build.register(sh(2026, 12, 30, 10, 0))
    build.classify_and_assign(order, sh(2026, 12, 30, 10, 5))
    build.accept_and_contact(order, sh(2026, 12, 30, 11, 0))
    assert columns(order)[0] == sh(2027, 1, 5, 23, 59, 59)
    # when the year is entered in bulk (no signal) with New Year's Day off, and the command recomputes
    WorkCalendarYear.objects.bulk_create([WorkCalendarYear(year=2027, source="import")])
    WorkCalendarDay.objects.bulk_create([WorkCalendarDay(date=date(2027, 1, 1), is_workday=False)])
    invalidate_calendar()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recompute_deadlines", "--year", "2027", verbosity=0)
    # then the queue sees the moved due time
    assert columns(order) == running(order) == (sh(2027, 1, 6, 23, 59, 59), sh(2026, 12, 30, 10, 0))
