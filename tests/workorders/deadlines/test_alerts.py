"""Who hears of a deadline and when: one alert per order and level, the duty person at night and on
holidays, SMS to leaders only when it matters, the 重要 order on dispatch, extensions."""

import pytest

from accounts.models import DutyAssignment
from config.errors import DomainError
from notifications.models import Delivery, Notification, NotificationRule
from workorders.deadlines.sweep import sweep
from workorders.models import SlaPolicy

from .conftest import deadline, events, request_extension, sh

pytestmark = pytest.mark.django_db


def notes(user, event_type):
    return list(Notification.objects.filter(user=user, event_type=event_type))


def sms_to(user, event_type):
    return list(Delivery.objects.filter(user=user, channel="sms", message__event_type=event_type))


@pytest.fixture
def duty_officer(django_user_model, depts):
    user = django_user_model.objects.create(
        username="duty", display_name="值班员", department=depts["BJ-YJ"], phone="13800000099"
    )
    return user  # a duty clerk: no role that other rules would reach


def contacted_monday(build):
    """A general order received Monday 3 March 2025 09:00, dispatched and contacted by 09:30."""
    order = build.register(sh(2025, 3, 3, 9, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 9, 5))
    return build.accept_and_contact(order, sh(2025, 3, 3, 9, 30))


def test_stages_breaching_in_one_sweep_make_one_alert_per_recipient(build, users):
    # given a policy with overall and regulatory limits, an order nobody contacted nor answered,
    # and a sweep that first runs a week later
    SlaPolicy.objects.filter(level="general").update(
        overall_limit=5, overall_unit="working_days", regulatory_limit=5, regulatory_unit="working_days"
    )
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    sweep(now=sh(2025, 3, 11, 10, 0))
    # then the contact, reply, overall and regulatory breaches make one event
    [breach] = events(order, "deadline_breached")
    assert breach.payload["stages"] == ["contact", "reply", "overall", "regulatory"]
    assert len(breach.payload["deadlines"]) == 4
    assert breach.payload["stage"] == "contact"  # the earliest due comes first
    # and every recipient one message that lists the stages
    for who in ("handler2", "supervisor", "manager"):
        [note] = notes(users[who], "deadline_breached")
        assert "首次联系" in note.body and "处理答复" in note.body
    [sms] = sms_to(users["handler2"], "deadline_breached")
    assert "首次联系" in sms.body and "处理答复" in sms.body


def test_a_saturday_contact_breach_alerts_the_duty_person_within_the_sweep(build, users, depts, duty_officer):
    DutyAssignment.objects.create(department=depts["BJ-YJ"], date=sh(2025, 3, 9).date(), user=duty_officer)
    order = build.register(sh(2025, 3, 8, 10, 0))  # Saturday; contact due Sunday 10:00
    build.classify_and_assign(order, sh(2025, 3, 8, 10, 5))
    # when the sweep runs one minute after the 24 hours, on Sunday
    sweep(now=sh(2025, 3, 9, 10, 1))
    # then the person on duty for 运维检修部 that day has the alert, in the inbox and by SMS
    [note] = notes(duty_officer, "deadline_breached")
    assert note.urgent and note.created_at == sh(2025, 3, 9, 10, 1)
    [sms] = sms_to(duty_officer, "deadline_breached")
    assert sms.urgent and sms.address == "13800000099"
    # and the leader hears of it without an SMS (a general order at its first level)
    assert notes(users["manager"], "deadline_breached") and not sms_to(users["manager"], "deadline_breached")


def test_the_duty_alert_falls_back_to_the_leaders_and_stays_quiet_in_office_hours(
    build, users, depts, duty_officer
):
    NotificationRule.objects.filter(event_type="deadline_breached", recipients="department_leaders").update(
        is_active=False
    )
    # a breach on 1 October (a holiday) with nobody on the roster: the department's leaders
    night = build.register(sh(2025, 9, 30, 12, 0))
    build.classify_and_assign(night, sh(2025, 9, 30, 12, 5))
    sweep(now=sh(2025, 10, 1, 12, 1))
    assert notes(users["manager"], "deadline_breached")
    assert not notes(duty_officer, "deadline_breached")
    # a breach on a working Tuesday at 10:01 goes to the holder, not to the person on duty
    DutyAssignment.objects.create(department=depts["BJ-YJ"], date=sh(2025, 3, 4).date(), user=duty_officer)
    day = build.register(sh(2025, 3, 3, 10, 0), phone="13911114444", account_no="3309999997")
    build.classify_and_assign(day, sh(2025, 3, 3, 10, 5))
    sweep(now=sh(2025, 3, 4, 10, 1))
    assert notes(users["handler2"], "deadline_breached")
    assert not Notification.objects.filter(user=duty_officer, order=day).exists()


def test_leaders_get_sms_only_for_serious_orders_and_from_the_second_escalation_level(build, users):
    # a general order: the breach (level 1) reaches the leader without SMS
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 10, 30))
    sweep(now=sh(2025, 3, 10, 9, 0))  # Monday after the reply deadline
    assert notes(users["manager"], "deadline_breached")
    assert not Delivery.objects.filter(user=users["manager"], channel="sms").exists()
    # one working day later the escalation to level 2 is worth an SMS
    sweep(now=sh(2025, 3, 11, 0, 0, 30))
    sweep(now=sh(2025, 3, 11, 9, 0))
    [escalated] = events(order, "deadline_escalated")
    assert escalated.payload["escalation_level"] == 2
    assert sms_to(users["manager"], "deadline_escalated")


def test_urging_to_the_threshold_texts_the_leader_only_on_a_major_order(build, users, settings):
    settings.URGE_FLAG_AT = 2
    general = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(general, sh(2025, 3, 3, 10, 5))
    major = build.register(sh(2025, 3, 3, 10, 0), phone="13911115555", account_no="3309999996")
    build.classify_and_assign(major, sh(2025, 3, 3, 10, 5), level="major")
    for order in (general, major):
        for minute in (10, 20):
            build.do(order, "urge", "agent", sh(2025, 3, 3, 11, minute), comment="客户催办")
    texts = sms_to(users["manager"], "urge_threshold")
    assert [d.message.order_id for d in texts] == [major.pk]
    assert len(notes(users["manager"], "urge_threshold")) == 2


def test_an_important_order_tells_the_unit_leader_on_dispatch(build, users):
    important = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(important, sh(2025, 3, 3, 10, 5), level="important")
    general = build.register(sh(2025, 3, 3, 10, 0), phone="13911116666", account_no="3309999995")
    build.classify_and_assign(general, sh(2025, 3, 3, 10, 5))
    [note] = notes(users["manager"], "important_assigned")
    assert note.order_id == important.pk and important.tracking_no in note.title
    assert not sms_to(users["manager"], "important_assigned")


def test_an_undecided_extension_alerts_the_supervisors_then_the_leader_a_working_day_later(build, users):
    order = contacted_monday(build)
    request_extension(
        build, order, sh(2025, 3, 3, 10, 0), "2025-03-12T16:00:00+08:00", "需停电改造", "施工计划"
    )
    sweep(now=sh(2025, 3, 3, 15, 31))  # the review limit (4 office hours) has passed
    assert notes(users["supervisor"], "deadline_breached")
    sweep(now=sh(2025, 3, 4, 23, 59))
    assert events(order, "deadline_escalated") == []
    sweep(now=sh(2025, 3, 5, 9, 0))  # one working day after the decision was due
    [escalated] = events(order, "deadline_escalated")
    assert escalated.payload["stages"] == ["extension"] and escalated.payload["escalation_level"] == 2
    assert notes(users["manager"], "deadline_escalated")


def test_a_held_reply_clock_runs_again_at_the_regulatory_limit(build):
    order = contacted_monday(build)
    request_extension(
        build, order, sh(2025, 3, 6, 10, 0), "2025-03-28T16:00:00+08:00", "需停电改造", "施工计划"
    )
    ceiling = deadline(order, "regulatory").due_at
    # nobody decides: past the reply deadline the clock holds
    sweep(now=sh(2025, 3, 10, 9, 0))
    assert deadline(order, "reply").breached_at is None
    # but not past the regulatory limit
    sweep(now=ceiling)
    reply = deadline(order, "reply")
    assert reply.held_since is None and reply.breached_at == ceiling
    assert reply.paused_seconds == int((ceiling - sh(2025, 3, 6, 10, 0)).total_seconds())


def test_approving_beyond_the_regulatory_limit_needs_a_confirmation_that_is_recorded(build):
    order = contacted_monday(build)
    ceiling = deadline(order, "regulatory").due_at
    request_extension(
        build, order, sh(2025, 3, 5, 10, 0), "2025-04-30T16:00:00+08:00", "需政府审批", "审批流程"
    )
    assert sh(2025, 4, 30, 16, 0) > ceiling
    with pytest.raises(DomainError) as refused:
        build.do(order, "decide_extension", "supervisor", sh(2025, 3, 5, 11, 0), approve=True)
    assert refused.value.code == "extension_beyond_regulatory"
    assert "2025-04-30 16:00" in refused.value.message
    assert deadline(order, "reply").held_since is not None  # nothing changed
    build.do(
        order,
        "decide_extension",
        "supervisor",
        sh(2025, 3, 5, 11, 0),
        approve=True,
        beyond_regulatory=True,
        comment="经批准",
    )
    [decision] = events(order, "decide_extension")
    assert decision.payload["beyond_regulatory"] is True and decision.payload["approved"] is True
    assert deadline(order, "reply").due_at == sh(2025, 4, 30, 16, 0)


def test_an_extension_within_the_regulatory_limit_needs_no_confirmation(build):
    order = contacted_monday(build)
    request_extension(
        build, order, sh(2025, 3, 5, 10, 0), "2025-03-10T16:00:00+08:00", "需停电改造", "施工计划"
    )
    build.do(order, "decide_extension", "supervisor", sh(2025, 3, 5, 11, 0), approve=True)
    [decision] = events(order, "decide_extension")
    assert "beyond_regulatory" not in decision.payload
