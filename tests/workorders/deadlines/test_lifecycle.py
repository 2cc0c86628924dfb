"""Deadline rows follow the lifecycle: opened at classification, met, moved, held and cancelled."""

import pytest

from config.api import DomainError
from workorders.models import Deadline, OrderSla, SlaPolicy, WorkOrder

from .conftest import deadline, sh

pytestmark = pytest.mark.django_db


def open_stages(order):
    return set(
        Deadline.objects.filter(order=order, met_at__isnull=True, cancelled_at__isnull=True).values_list(
            "stage", flat=True
        )
    )


def test_dispatch_clock_starts_at_receipt_before_classification(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    row = deadline(order, "dispatch")
    assert row.started_at == sh(2025, 3, 3, 10, 0) and row.due_at == sh(2025, 3, 3, 10, 30)
    assert open_stages(order) == {"dispatch"}


def test_complaint_received_before_national_day_is_due_after_it(build):
    # given a general complaint on Monday 2024-09-30, the last working day before the 1–7 October holiday
    order = build.register(sh(2024, 9, 30, 10, 0))
    build.classify(order, sh(2024, 9, 30, 10, 10))
    reply = deadline(order, "reply")
    # then the 4 working days are 10/8, 10/9, 10/10, 10/11
    assert reply.due_at == sh(2024, 10, 11, 23, 59, 59)
    assert reply.warn_at.date() == sh(2024, 10, 10).date()  # 75 % of the office time, inside office hours
    assert deadline(order, "regulatory").due_at == sh(2024, 10, 18, 23, 59, 59)  # 10 wd, with Sat 10/12
    assert deadline(order, "contact").due_at == sh(2024, 10, 1, 10, 0)  # 24 h, calendar time
    assert open_stages(order) == {"dispatch", "contact", "reply", "overall", "regulatory"}


def test_adjusted_working_saturday_counts(build):
    # given an important complaint on Friday 2024-10-11 (3 wd); Saturday 10/12 was a working day
    order = build.register(sh(2024, 10, 11, 9, 0))
    build.classify(order, sh(2024, 10, 11, 9, 5), level="important")
    assert deadline(order, "reply").due_at == sh(2024, 10, 15, 23, 59, 59)  # 10/12, 10/14, 10/15


def test_the_policy_is_frozen_at_classification(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify(order, sh(2025, 3, 3, 10, 5))
    due = deadline(order, "reply").due_at
    # when an administrator tightens the general policy afterwards
    SlaPolicy.objects.filter(level="general", category=None).update(reply_limit=1)
    build.assign(order, sh(2025, 3, 3, 10, 20))
    # then the order keeps its deadlines and its frozen limits
    assert deadline(order, "reply").due_at == due == sh(2025, 3, 7, 23, 59, 59)
    assert OrderSla.objects.get(order=order).limits["reply"] == {"value": 4, "unit": "working_days"}
    # and a new order gets the new limit
    other = build.register(sh(2025, 3, 3, 11, 0), phone="13911112222", account_no="3309999999")
    build.classify(other, sh(2025, 3, 3, 11, 5))
    assert deadline(other, "reply").due_at == sh(2025, 3, 4, 23, 59, 59)


def test_category_specific_policy_beats_the_level_default(build, leaf):
    SlaPolicy.objects.create(
        name="低电压 2 wd",
        level="general",
        category=leaf.parent,
        reply_limit=2,
        reply_unit="working_days",
        contact_limit=12,
        contact_unit="hours",
    )
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify(order, sh(2025, 3, 3, 10, 5))
    assert deadline(order, "reply").due_at == sh(2025, 3, 5, 23, 59, 59)
    assert deadline(order, "contact").due_at == sh(2025, 3, 3, 22, 0)


def test_external_channel_limit_wins_when_earlier(build):
    # given a 12345 transfer (7 calendar days) received just before the 2025 Spring Festival
    order = build.register(sh(2025, 1, 24, 10, 0), channel="gov_12345")
    build.classify(order, sh(2025, 1, 24, 10, 5))
    reply = deadline(order, "reply")
    # 4 wd would be 2/6; 7 calendar days end on 1/31
    assert reply.due_at == sh(2025, 1, 31, 23, 59, 59) and reply.basis == "channel"


def test_external_channel_limit_loses_when_later(build):
    # a 12398 order is at least important (3 wd, within the regulator's 10 wd): the policy wins
    order = build.register(sh(2025, 3, 3, 10, 0), channel="regulator_12398")
    build.classify(order, sh(2025, 3, 3, 10, 5))
    reply = deadline(order, "reply")
    assert WorkOrder.objects.get(pk=order.pk).level == "important"
    assert reply.due_at == sh(2025, 3, 6, 23, 59, 59) and reply.basis == "policy"
    # and the reply back to the regulator has its own clock, by the channel's limit (10 wd)
    platform = deadline(order, "platform")
    assert platform.basis == "platform" and platform.due_at == sh(2025, 3, 17, 23, 59, 59)


def test_each_stage_is_met_by_its_action(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify(order, sh(2025, 3, 3, 10, 5))
    build.assign(order, sh(2025, 3, 3, 10, 20))
    dispatch = deadline(order, "dispatch")
    assert dispatch.met_at == sh(2025, 3, 3, 10, 20)
    build.accept_and_contact(order, sh(2025, 3, 3, 15, 0))
    assert deadline(order, "contact").met_at == sh(2025, 3, 3, 15, 0)
    build.reply(order, sh(2025, 3, 5, 9, 0))
    assert deadline(order, "reply").met_at == sh(2025, 3, 5, 9, 0)
    assert deadline(order, "regulatory").met_at == sh(2025, 3, 5, 9, 0)
    review = deadline(order, "review")
    assert review.is_open and review.due_at == sh(
        2025, 3, 5, 14, 30
    )  # 4 office hours: 3 before lunch, 1 after
    build.do(order, "approve", "supervisor", sh(2025, 3, 5, 10, 0), comment="同意")
    assert deadline(order, "review").met_at == sh(2025, 3, 5, 10, 0)
    assert deadline(order, "callback").due_at == sh(2025, 3, 6, 23, 59, 59)
    build.do(
        order,
        "callback",
        "agent",
        sh(2025, 3, 6, 9, 0),
        reached=True,
        satisfaction="satisfied",
        comment="满意",
    )
    assert deadline(order, "callback").met_at == sh(2025, 3, 6, 9, 0)
    assert deadline(order, "overall").met_at == sh(2025, 3, 6, 9, 0)
    assert open_stages(order) == set()


def test_return_does_not_pause_the_customer_clock_and_opens_a_redispatch(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    contact_due, reply_due = deadline(order, "contact").due_at, deadline(order, "reply").due_at
    build.do(order, "accept", "handler2", sh(2025, 3, 3, 10, 30))
    build.do(order, "return", "handler2", sh(2025, 3, 3, 11, 0), reason="属地不符")
    assert deadline(order, "contact").due_at == contact_due and deadline(order, "contact").is_open
    assert deadline(order, "reply").due_at == reply_due
    redispatch = deadline(order, "dispatch", met_at__isnull=True)
    assert redispatch.basis == "redispatch" and redispatch.due_at == sh(2025, 3, 3, 11, 30)


def test_rejected_reply_keeps_its_deadline(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 11, 0))
    due = deadline(order, "reply").due_at
    build.reply(order, sh(2025, 3, 4, 9, 0))
    build.do(order, "reject", "supervisor", sh(2025, 3, 4, 10, 0), reason="未写明整改措施")
    reply = deadline(order, "reply")
    assert reply.is_open and reply.due_at == due and reply.met_at is None
    assert deadline(order, "review").met_at == sh(2025, 3, 4, 10, 0)


def test_reopened_order_gets_two_working_days_and_a_new_callback(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 11, 0))
    build.reply(order, sh(2025, 3, 4, 9, 0))
    build.do(order, "approve", "supervisor", sh(2025, 3, 4, 10, 0))
    # when the customer is unsatisfied with the handling on Friday
    build.do(
        order,
        "callback",
        "agent",
        sh(2025, 3, 7, 9, 0),
        reached=True,
        satisfaction="unsatisfied",
        dissatisfaction_reason="process_not_done",
        comment="没修好",
    )
    reply = deadline(order, "reply", met_at__isnull=True)
    assert reply.basis == "reopen" and reply.cycle == 1
    assert reply.due_at == sh(2025, 3, 11, 23, 59, 59)  # Monday 3/10 and Tuesday 3/11
    build.reply(order, sh(2025, 3, 10, 9, 0))
    build.do(order, "approve", "supervisor", sh(2025, 3, 10, 10, 0))
    callbacks = Deadline.objects.filter(order=order, stage="callback").order_by("pk")
    assert [c.cycle for c in callbacks] == [0, 1] and callbacks[1].is_open


def test_approved_extension_moves_the_reply_deadline(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 11, 0))
    build.do(
        order,
        "request_extension",
        "handler2",
        sh(2025, 3, 6, 10, 0),
        requested_due_at="2025-03-14T17:30:00+08:00",
        reason="需停电改造",
        basis="计划停电",
    )
    held = deadline(order, "reply")
    # Held at most until the regulatory limit, where the sweep looks at it again.
    ceiling = deadline(order, "regulatory").due_at
    assert held.held_since == sh(2025, 3, 6, 10, 0) and held.held_until == held.next_at == ceiling
    build.do(order, "decide_extension", "supervisor", sh(2025, 3, 6, 14, 0), approve=True, comment="同意")
    reply = deadline(order, "reply")
    assert reply.due_at == sh(2025, 3, 14, 17, 30) and reply.basis == "extension"
    assert reply.original_due_at == sh(2025, 3, 7, 23, 59, 59)
    assert reply.paused_seconds == 4 * 3600 and reply.held_since is None


def test_extension_must_be_requested_before_the_deadline(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(order, sh(2025, 3, 3, 11, 0))
    with pytest.raises(DomainError) as err:
        build.do(
            order,
            "request_extension",
            "handler2",
            sh(2025, 3, 8, 10, 0),
            requested_due_at="2025-03-14T17:30:00+08:00",
            reason="来不及",
            basis="施工计划",
        )
    assert err.value.code == "deadline_passed"
    assert not order.extension_requests.exists()


def test_urging_to_the_threshold_raises_the_level_and_tightens_the_deadlines(build, settings):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    assert deadline(order, "reply").due_at == sh(2025, 3, 7, 23, 59, 59)
    for n in range(settings.URGE_ESCALATE_AT):
        build.do(order, "urge", "agent", sh(2025, 3, 3, 12, n), comment="客户催办")
    order.refresh_from_db()
    # domain.md §5.2: the third urge raises general → important, recomputed from receipt (§5.1)
    assert order.level == "important" and order.is_supervised and order.upgrade_tendency
    assert deadline(order, "reply").due_at == sh(2025, 3, 6, 23, 59, 59)
    assert OrderSla.objects.get(order=order).level == "important"


def test_dismissed_order_cancels_its_deadlines(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.do(order, "dismiss", "supervisor", sh(2025, 3, 3, 10, 10), reason="不属于投诉")
    assert open_stages(order) == set()
    assert deadline(order, "dispatch").cancelled_at == sh(2025, 3, 3, 10, 10)


def test_repeat_complaint_starts_at_important(build):
    first = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(first, sh(2025, 3, 3, 10, 5))
    build.accept_and_contact(first, sh(2025, 3, 3, 11, 0))
    build.reply(first, sh(2025, 3, 4, 9, 0))
    build.do(first, "approve", "supervisor", sh(2025, 3, 4, 10, 0))
    build.do(first, "callback", "agent", sh(2025, 3, 4, 15, 0), reached=True, satisfaction="satisfied")
    # the same customer on the same issue within 30 days
    again = build.register(sh(2025, 3, 20, 10, 0))
    build.classify(again, sh(2025, 3, 20, 10, 5), level="general")
    again.refresh_from_db()
    assert again.is_repeat and again.level == "important"
    assert deadline(again, "reply").due_at == sh(2025, 3, 25, 23, 59, 59)  # 3 wd
