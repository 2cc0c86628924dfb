"""Across the seam: a deadline the sweep finds breached reaches the right people's inboxes."""

from datetime import timedelta

import pytest

from notifications.models import Notification
from workorders.deadlines.sweep import sweep

from .conftest import deadline, sh

pytestmark = pytest.mark.django_db


def told(event_type):
    return set(Notification.objects.filter(event_type=event_type).values_list("user__username", flat=True))


def test_reminder_and_breach_of_the_reply_deadline_notify_holder_then_chain(build, users, depts):
    # given an order with the team's handler, the team led by handler3 (any user may lead)
    depts["BJ-YJ-QX"].leaders.set([users["handler3"]])
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 10, 30))
    reply = deadline(order, "reply")
    # when the sweep passes the reminder point, then the due time (in office hours)
    sweep(now=reply.warn_at)
    assert told("deadline_warning") == {"handler2"}
    sweep(now=reply.due_at + timedelta(days=3, hours=10))  # the next Monday morning
    # then the holder, the covering supervisor and the department's leader hear of the breach, once
    assert {"handler2", "supervisor", "handler3"} <= told("deadline_breached")
    before = Notification.objects.filter(event_type="deadline_breached").count()
    sweep(now=reply.due_at + timedelta(days=3, hours=11))
    assert Notification.objects.filter(event_type="deadline_breached").count() == before
