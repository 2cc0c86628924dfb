"""The sweep: a reminder once at 75 %, breaches, escalation up the tree, office hours, paused clocks."""

from datetime import timedelta

import pytest

from workorders.deadlines.sweep import sweep
from workorders.models import WorkOrder, WorkOrderEvent

from .conftest import deadline, events, sh

pytestmark = pytest.mark.django_db


def stage_events(order, action, stage):
    return [e for e in events(order, action) if e.payload["stage"] == stage]


def test_reminder_fires_once_at_75_percent(build):
    # given a general order received Monday 10:00: 4 wd, due Friday 23:59:59
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 10, 30))
    reply = deadline(order, "reply")
    # 75 % of the office time between Monday 10:00 and Friday 17:30 (6 + 4 × 7.5 = 36 h → 27 h):
    # Thursday 16:00
    assert reply.warn_at == sh(2025, 3, 6, 16, 0)
    # when the sweep runs just before, at, again at, and after that moment
    sweep(now=reply.warn_at - timedelta(minutes=1))
    assert stage_events(order, "deadline_warning", "reply") == []
    sweep(now=reply.warn_at)
    sweep(now=reply.warn_at)
    sweep(now=reply.warn_at + timedelta(hours=2))
    # then exactly one reminder, with the agreed payload
    [warning] = stage_events(order, "deadline_warning", "reply")
    assert warning.payload["due_at"] == reply.due_at.isoformat() and warning.actor is None
    assert warning.created_at == reply.warn_at
    assert deadline(order, "reply").warned_at == reply.warn_at
    assert not WorkOrder.objects.get(pk=order.pk).is_overdue


def test_non_urgent_reminder_waits_for_office_hours_urgent_does_not(build):
    # a general order received at 02:00: contact due 02:00 next day; 75 % (20:00) is after hours and the next
    # office hours are past the deadline, so the reminder goes out in the last office minute before
    general = build.register(sh(2025, 3, 4, 2, 0))
    build.classify(general, sh(2025, 3, 4, 2, 5))
    assert deadline(general, "contact").warn_at == sh(2025, 3, 4, 17, 29)
    # a special order at the same time: contact within 2 h, reminder at 03:30 sharp
    special = build.register(sh(2025, 3, 4, 2, 0), phone="13911112222", account_no="3309999999")
    build.classify(special, sh(2025, 3, 4, 2, 5), level="special")
    assert deadline(special, "contact").warn_at == sh(2025, 3, 4, 3, 30)
    sweep(now=sh(2025, 3, 4, 3, 30))
    assert len(stage_events(special, "deadline_warning", "contact")) == 1
    assert stage_events(general, "deadline_warning", "contact") == []


def test_non_urgent_breach_is_marked_at_once_but_alerted_in_office_hours(build):
    order = build.register(sh(2025, 3, 3, 22, 0))  # Monday night, contact due Tuesday 22:00
    build.classify_and_assign(order, sh(2025, 3, 3, 22, 5))
    sweep(now=sh(2025, 3, 4, 22, 1))
    row = deadline(order, "contact")
    assert row.breached_at == sh(2025, 3, 4, 22, 1) and WorkOrder.objects.get(pk=order.pk).is_overdue
    assert stage_events(order, "deadline_breached", "contact") == []
    assert row.next_at == sh(2025, 3, 5, 8, 30)
    sweep(now=sh(2025, 3, 5, 8, 29))
    assert stage_events(order, "deadline_breached", "contact") == []
    sweep(now=sh(2025, 3, 5, 8, 30))
    sweep(now=sh(2025, 3, 5, 9, 0))
    assert len(stage_events(order, "deadline_breached", "contact")) == 1


def test_a_breach_at_night_counts_overdue_at_once_though_its_alert_waits(build, users):
    from workorders.stats.reads import StatsFilter, stats_summary

    order = build.register(sh(2025, 3, 3, 22, 0))  # Monday night, contact due Tuesday 22:00
    build.classify_and_assign(order, sh(2025, 3, 3, 22, 5))
    # when the sweep finds the contact row past due at night
    sweep(now=sh(2025, 3, 4, 22, 1))
    # then no alert yet, but the fact is recorded and every figure sees the order overdue
    assert stage_events(order, "deadline_breached", "contact") == []
    assert [e.payload["stage"] for e in events(order, "deadline_overdue")] == ["contact"]
    assert stats_summary(users["manager"], StatsFilter())["overdue"] == 1
    # and the alert in office hours records no second fact
    sweep(now=sh(2025, 3, 5, 9, 0))
    assert len(events(order, "deadline_overdue")) == 1


def test_breach_escalates_up_the_department_tree(build, depts):
    # given a special order (reply 1 wd) handled by a team under 运维检修部 under the company
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5), level="special")
    build.accept_and_contact(order, sh(2025, 3, 3, 10, 30))
    reply = deadline(order, "reply")
    assert reply.due_at == sh(2025, 3, 4, 23, 59, 59)
    # when the deadline passes (at night: special orders do not wait for office hours)
    sweep(now=sh(2025, 3, 5, 0, 0, 30))
    [breach] = stage_events(order, "deadline_breached", "reply")
    assert breach.payload["escalation_level"] == 1 and breach.payload["department"] == depts["BJ-YJ-QX"].pk
    assert WorkOrder.objects.get(pk=order.pk).is_overdue
    # then one working day later level 2 goes to the parent department
    sweep(now=sh(2025, 3, 5, 23, 0))
    assert stage_events(order, "deadline_escalated", "reply") == []
    sweep(now=sh(2025, 3, 6, 0, 0, 30))
    # and six working days after the deadline level 3 reaches the company
    sweep(now=sh(2025, 3, 13, 0, 0, 30))
    sweep(now=sh(2025, 3, 20, 0, 0, 30))
    escalations = stage_events(order, "deadline_escalated", "reply")
    assert [(e.payload["escalation_level"], e.payload["department"]) for e in escalations] == [
        (2, depts["BJ-YJ"].pk),
        (3, depts["BJ"].pk),
    ]
    assert deadline(order, "reply").escalation_level == 3 and deadline(order, "reply").next_at is None


def test_an_extension_request_nobody_decides_alerts_the_supervisors(build, users):
    from notifications.models import Notification

    order = build.register(sh(2025, 3, 3, 9, 0))  # Monday
    build.classify_and_assign(order, sh(2025, 3, 3, 9, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 9, 30))
    build.do(
        order,
        "request_extension",
        "handler2",
        sh(2025, 3, 3, 10, 0),
        requested_due_at="2025-03-14T16:00:00+08:00",
        reason="需停电改造",
        basis="施工计划",
    )
    # the decision has the review limit: 4 office hours from 10:00 is 15:30
    row = deadline(order, "extension")
    assert row.due_at == sh(2025, 3, 3, 15, 30) and row.met_at is None
    sweep(now=sh(2025, 3, 3, 15, 29))
    assert stage_events(order, "deadline_breached", "extension") == []
    # when nobody has decided by then
    sweep(now=sh(2025, 3, 3, 15, 31))
    # then the supervisors are alerted
    assert len(stage_events(order, "deadline_breached", "extension")) == 1
    assert Notification.objects.filter(user=users["supervisor"], event_type="deadline_breached").exists()
    # and the decision stops that clock (late), the reply clock runs again
    build.do(order, "decide_extension", "supervisor", sh(2025, 3, 3, 16, 0), approve=False)
    row.refresh_from_db()
    assert row.met_at == sh(2025, 3, 3, 16, 0) and row.next_at is None
    assert deadline(order, "reply").held_since is None


def test_approved_extension_does_not_breach(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 11, 0))
    build.do(
        order,
        "request_extension",
        "handler2",
        sh(2025, 3, 7, 10, 0),
        requested_due_at="2025-03-14T16:00:00+08:00",
        reason="需停电改造",
        basis="施工计划",
    )
    # while the request waits, the original deadline passes: the clock is held
    sweep(now=sh(2025, 3, 8, 0, 1))
    assert deadline(order, "reply").breached_at is None
    build.do(order, "decide_extension", "supervisor", sh(2025, 3, 8, 9, 0), approve=True)
    sweep(now=sh(2025, 3, 10, 9, 0))
    assert deadline(order, "reply").breached_at is None
    assert stage_events(order, "deadline_breached", "reply") == []
    # the new deadline is enforced
    sweep(now=sh(2025, 3, 14, 16, 1))
    assert deadline(order, "reply").breached_at == sh(2025, 3, 14, 16, 1)
    assert len(stage_events(order, "deadline_breached", "reply")) == 1


def test_refused_extension_lets_the_original_deadline_breach(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 11, 0))
    build.do(
        order,
        "request_extension",
        "handler2",
        sh(2025, 3, 7, 10, 0),
        requested_due_at="2025-03-14T17:30:00+08:00",
        reason="需停电改造",
        basis="施工计划",
    )
    build.do(order, "decide_extension", "supervisor", sh(2025, 3, 10, 9, 0), approve=False, comment="不同意")
    sweep(now=sh(2025, 3, 10, 9, 1))
    assert len(stage_events(order, "deadline_breached", "reply")) == 1


def test_repeated_breaches_raise_the_level(build, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        order = build.register(sh(2025, 3, 3, 10, 0))
        build.classify(order, sh(2025, 3, 3, 10, 5))
        # nobody dispatches nor contacts: dispatch (30 min) and contact (24 h) both breach
        with django_capture_on_commit_callbacks(execute=True):
            sweep(now=sh(2025, 3, 3, 10, 31))
        assert WorkOrder.objects.get(pk=order.pk).level == "general"
        with django_capture_on_commit_callbacks(execute=True):
            sweep(now=sh(2025, 3, 4, 10, 1))
        order.refresh_from_db()
        assert order.level == "important" and order.is_escalated
        [raised] = events(order, "escalate")
        assert raised.actor is None and raised.payload["level_to"] == "important"
        # the deadlines were recomputed for the new level (3 wd from receipt)
        assert deadline(order, "reply").due_at == sh(2025, 3, 6, 23, 59, 59)
        with django_capture_on_commit_callbacks(execute=True):
            sweep(now=sh(2025, 3, 4, 10, 2))
        assert len(events(order, "escalate")) == 1
    finally:
        app.conf.task_always_eager = False


def test_sweep_leaves_rows_that_are_not_due_alone(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    before = {r.pk: r.next_at for r in order.deadlines.all()}
    result = sweep(now=sh(2025, 3, 3, 10, 6))
    assert result.claimed == 0
    assert {r.pk: r.next_at for r in order.deadlines.all()} == before
    assert not WorkOrderEvent.objects.filter(order=order, action__startswith="deadline_").exists()


def test_urging_an_overdue_order_moves_its_escalation_up_at_once(build, depts):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5), level="special")
    build.accept_and_contact(order, sh(2025, 3, 3, 10, 30))
    sweep(now=sh(2025, 3, 5, 0, 0, 30))  # reply breached (level 1) and alerted
    # when the customer urges the next morning, before the level-2 point (end of 3/5)
    build.do(order, "urge", "agent", sh(2025, 3, 5, 9, 0), comment="客户再次催办")
    [escalated] = stage_events(order, "deadline_escalated", "reply")
    assert escalated.payload["escalation_level"] == 2 and escalated.payload["reason"] == "urge"
    assert escalated.payload["department"] == depts["BJ-YJ"].pk
    # the sweep does not repeat level 2; level 3 still comes at its own time
    sweep(now=sh(2025, 3, 6, 0, 0, 30))
    assert len(stage_events(order, "deadline_escalated", "reply")) == 1
    sweep(now=sh(2025, 3, 13, 0, 0, 30))
    assert [e.payload["escalation_level"] for e in stage_events(order, "deadline_escalated", "reply")] == [
        2,
        3,
    ]


def test_urging_an_order_on_time_escalates_nothing(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.do(order, "urge", "agent", sh(2025, 3, 3, 11, 0), comment="催办")
    assert events(order, "deadline_escalated") == []
