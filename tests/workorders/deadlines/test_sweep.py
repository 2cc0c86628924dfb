"""The sweep: a reminder once at 75 %, breaches, escalation up the tree, office hours, paused clocks."""

from datetime import timedelta
from io import StringIO

import pytest

from workorders.deadlines.sweep import sweep
from workorders.models import WorkOrder, WorkOrderEvent

from .conftest import deadline, events, sh

pytestmark = pytest.mark.django_db


def stage_events(order, action, stage):
    """The order's events of ``action`` that name ``stage`` (one alert may list several stages)."""
    return [e for e in events(order, action) if stage in e.payload.get("stages", [e.payload["stage"]])]


def test_reminders_fire_once_the_day_before_and_at_75_percent(build):
    # given a general order received Monday 10:00: 4 wd, due Friday 23:59:59
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 10, 30))
    reply = deadline(order, "reply")
    # the day-before reminder (domain.md A8) at the start of office hours on Thursday, and 75 % of
    # the office time between Monday 10:00 and Friday 17:30 (6 + 4 × 7.5 = 36 h → 27 h): Thursday 16:00
    assert reply.remind_at == sh(2025, 3, 6, 8, 30)
    assert reply.warn_at == sh(2025, 3, 6, 16, 0)
    # when the sweep runs just before, at, again at, and after each moment
    sweep(now=reply.remind_at - timedelta(minutes=1))
    assert stage_events(order, "deadline_warning", "reply") == []
    sweep(now=reply.remind_at)
    sweep(now=reply.warn_at - timedelta(minutes=1))
    sweep(now=reply.warn_at)
    sweep(now=reply.warn_at)
    sweep(now=reply.warn_at + timedelta(hours=2))
    # then exactly one reminder of each kind, with the agreed payload
    day_before, share = stage_events(order, "deadline_warning", "reply")
    assert day_before.payload["reminders"] == ["day_before"] and day_before.created_at == reply.remind_at
    assert share.payload["reminders"] == ["share"] and share.created_at == reply.warn_at
    assert share.payload["due_at"] == reply.due_at.isoformat() and share.actor is None
    row = deadline(order, "reply")
    assert row.warned_at == reply.warn_at and row.reminded_at == reply.remind_at
    assert not WorkOrder.objects.get(pk=order.pk).is_overdue


def test_round_the_clock_reminders_are_sent_when_they_fall(build):
    # the 24-hour first contact of a general order received at 02:00 is reminded at 20:00 (75 %), not
    # moved into office hours: calendar-time commitments run around the clock
    general = build.register(sh(2025, 3, 4, 2, 0))
    build.classify(general, sh(2025, 3, 4, 2, 5))
    assert deadline(general, "contact").warn_at == sh(2025, 3, 4, 20, 0)
    assert deadline(general, "contact").remind_at is None  # no day-before reminder on an hour limit
    # a special order at the same time: contact within 2 h, reminder at 03:30 sharp
    special = build.register(sh(2025, 3, 4, 2, 0), phone="13911112222", account_no="3309999999")
    build.classify(special, sh(2025, 3, 4, 2, 5), level="special")
    assert deadline(special, "contact").warn_at == sh(2025, 3, 4, 3, 30)
    sweep(now=sh(2025, 3, 4, 3, 30))
    assert len(stage_events(special, "deadline_warning", "contact")) == 1
    assert stage_events(general, "deadline_warning", "contact") == []
    sweep(now=sh(2025, 3, 4, 20, 0))
    assert len(stage_events(general, "deadline_warning", "contact")) == 1


def test_a_saturday_complaint_gets_its_contact_reminder_and_alert_on_the_weekend(build):
    order = build.register(sh(2025, 3, 8, 10, 0), phone="13911113333", account_no="3309999998")  # Saturday
    build.classify_and_assign(order, sh(2025, 3, 8, 10, 5))
    assert deadline(order, "contact").warn_at == sh(2025, 3, 9, 4, 0)  # Sunday, 18 h in
    sweep(now=sh(2025, 3, 9, 4, 0))
    assert len(stage_events(order, "deadline_warning", "contact")) == 1
    sweep(now=sh(2025, 3, 9, 10, 1))  # Sunday: the 24 hours are up
    [breach] = stage_events(order, "deadline_breached", "contact")
    assert breach.created_at == sh(2025, 3, 9, 10, 1)


def test_working_day_breach_is_marked_at_once_but_alerted_in_office_hours(build):
    order = build.register(sh(2025, 3, 3, 10, 0))  # Monday: reply due Friday 23:59:59
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 10, 30))
    sweep(now=sh(2025, 3, 8, 0, 1))  # Saturday night
    row = deadline(order, "reply")
    assert row.breached_at == sh(2025, 3, 8, 0, 1) and WorkOrder.objects.get(pk=order.pk).is_overdue
    assert stage_events(order, "deadline_breached", "reply") == []
    assert row.next_at == sh(2025, 3, 10, 8, 30)
    sweep(now=sh(2025, 3, 10, 8, 29))
    assert stage_events(order, "deadline_breached", "reply") == []
    sweep(now=sh(2025, 3, 10, 8, 30))
    sweep(now=sh(2025, 3, 10, 9, 0))
    assert len(stage_events(order, "deadline_breached", "reply")) == 1


def test_a_contact_breach_at_night_is_alerted_at_once(build):
    order = build.register(sh(2025, 3, 3, 22, 0))  # Monday night, contact due Tuesday 22:00
    build.classify_and_assign(order, sh(2025, 3, 3, 22, 5))
    sweep(now=sh(2025, 3, 4, 22, 1))
    [breach] = stage_events(order, "deadline_breached", "contact")
    assert breach.created_at == sh(2025, 3, 4, 22, 1)
    assert deadline(order, "contact").breach_notified_at == sh(2025, 3, 4, 22, 1)


def test_a_breach_at_night_counts_overdue_at_once_though_its_alert_waits(build, users):
    from workorders.stats.reads import StatsFilter, stats_summary

    order = build.register(sh(2025, 3, 3, 10, 0))  # Monday: reply due Friday 23:59:59
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 10, 30))
    # when the sweep finds the reply row past due at night
    sweep(now=sh(2025, 3, 8, 0, 1))
    # then no alert yet, but the fact is recorded and every figure sees the order overdue
    assert stage_events(order, "deadline_breached", "reply") == []
    assert [e.payload["stage"] for e in events(order, "deadline_overdue")] == ["reply"]
    assert stats_summary(users["manager"], StatsFilter())["overdue"] == 1
    # and the alert in office hours records no second fact
    sweep(now=sh(2025, 3, 10, 9, 0))
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


def _two_orders_breaching_twice(build):
    orders = [build.register(sh(2025, 3, 3, 10, 0)) for _ in range(2)]
    for order in orders:
        build.classify(order, sh(2025, 3, 3, 10, 5))
    sweep(now=sh(2025, 3, 3, 10, 31))  # dispatch breached: one breach each
    return orders


def test_one_message_raises_the_levels_of_a_whole_batch(
    build, django_capture_on_commit_callbacks, monkeypatch
):
    from workorders.deadlines import tasks

    orders = _two_orders_breaching_twice(build)
    published = []
    monkeypatch.setattr(tasks.raise_levels_after_breaches, "delay", lambda ids: published.append(ids))
    # when the contact clocks breach too, in one sweep
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=sh(2025, 3, 4, 10, 1))
    # then one message carries both orders, and a worker running it raises both, once
    assert [sorted(ids) for ids in published] == [sorted(o.pk for o in orders)]
    assert tasks.raise_levels_after_breaches(published[0]) == 2
    assert tasks.raise_levels_after_breaches(published[0]) == 0
    assert {o.level for o in WorkOrder.objects.filter(pk__in=published[0])} == {"important"}


def test_with_the_broker_down_the_sweep_commits_and_the_command_raises_the_marked(
    build, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from tests.notifications.broker import use_broker
    from tests.notifications.servers import free_port

    orders = _two_orders_breaching_twice(build)
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"), django_capture_on_commit_callbacks(execute=True):
        result = sweep(now=sh(2025, 3, 4, 10, 1))  # no exception: the breaches are recorded
    assert sorted(result.level_ups) == sorted(o.pk for o in orders)
    assert all(deadline(o, "contact").breached_at for o in orders)
    assert {o.level for o in WorkOrder.objects.filter(pk__in=result.level_ups)} == {"general"}  # marked only
    # when the sweep runs by hand (or cron) with no worker
    call_command("sweep_deadlines", "--at", "2025-03-04T10:02:00+08:00", stdout=StringIO())
    assert {o.level for o in WorkOrder.objects.filter(pk__in=result.level_ups)} == {"important"}


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
