"""12398 and 12345 orders (issue 16, item 7): the external number is kept, the reply back to the
platform is a deadline stage of its own (the channel's limit from receipt) that outlives the order's
closing, who sent what and when is recorded, and the platform's evaluation too; a 12398 order is at
least important (domain.md §5.1); these orders have their own queue and their own report figures."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from tests.workorders.factories import act
from workorders.deadlines.sweep import sweep
from workorders.models import DAILY_MEASURES, Deadline, StatsDaily, WorkOrder, WorkOrderEvent
from workorders.queues import queue_orders
from workorders.stats.reads import derived

pytestmark = pytest.mark.django_db


def platform_row(order):
    return Deadline.objects.filter(order=order, stage="platform").order_by("-pk").first()


def figures():
    return derived(StatsDaily.objects.aggregate(**{m: Sum(m) for m in DAILY_MEASURES}))


def test_a_12345_order_owes_the_platform_a_reply_after_it_closes(build, users, api_client_for):
    order = build.order("closed", channel="gov_12345", external_ref="12345-2026-000123")
    row = platform_row(order)
    # the platform's clock runs from receipt, by its own limit, and outlives the order's closing
    assert row is not None and row.started_at == order.received_at and row.basis == "platform"
    assert order.status == "closed" and row.is_open
    assert order in queue_orders(users["dispatcher"], "platform")
    # the agent records the reply sent back to the platform
    act(api_client_for("agent"), order.pk, "platform_reply", reply="经核实，已处理完毕并答复客户。")
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.platform_replied_at is not None and platform_row(order).met_at is not None
    event = WorkOrderEvent.objects.get(order=order, action="platform_reply")
    assert event.actor == users["agent"] and event.payload["reply"].startswith("经核实")
    assert event.payload["external_ref"] == "12345-2026-000123"
    assert order not in queue_orders(users["dispatcher"], "platform")
    # once: a second reply is refused; then the platform's evaluation, once too
    assert (
        act(api_client_for("agent"), order.pk, "platform_reply", reply="x", expect=409)["code"]
        == "already_replied"
    )
    act(api_client_for("agent"), order.pk, "platform_evaluation", evaluation="basically_satisfied")
    again = act(api_client_for("agent"), order.pk, "platform_evaluation", evaluation="satisfied", expect=409)
    assert again["code"] == "already_evaluated"
    f = figures()
    assert (
        f["platform_received"] == 1 and f["platform_replied"] == 1 and f["platform_satisfaction_rate"] == 1.0
    )


def test_a_phone_order_has_no_platform_stage_and_cannot_be_replied_to_a_platform(build, api_client_for):
    order = build.order("callback")
    assert platform_row(order) is None
    assert (
        act(api_client_for("agent"), order.pk, "platform_reply", reply="x", expect=409)["code"]
        == "not_platform"
    )


def test_the_evaluation_waits_for_the_reply(build, api_client_for):
    order = build.order("callback", channel="gov_12345")
    answer = act(api_client_for("agent"), order.pk, "platform_evaluation", evaluation="satisfied", expect=409)
    assert answer["code"] == "not_replied_to_platform"


def test_a_12398_order_is_at_least_important(build):
    order = build.order("assignment", channel="regulator_12398", level="general")
    assert WorkOrder.objects.get(pk=order.pk).level == "important"


def test_a_late_platform_reply_breaches_and_counts_late(build, api_client_for):
    # received three weeks ago (12345 allows 7 days), handled then, never replied to the platform
    order = build.order("closed", timezone.now() - timedelta(days=21), channel="gov_12345")
    row = platform_row(order)
    assert row.due_at < timezone.now()
    sweep(now=timezone.now())
    assert platform_row(order).breached_at is not None
    act(api_client_for("agent"), order.pk, "platform_reply", reply="迟复")
    f = figures()
    assert f["platform_replied_late"] == 1 and f["platform_replied"] == 1
