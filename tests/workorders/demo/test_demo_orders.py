"""seed_orders: orders in every state, built through the services, consistent, once.

The demo has ``DEFAULT_COUNT`` (300) orders; these tests seed ``COUNT`` (60): small, yet still with
every state, outcome and variant (40 lacks some), and the thresholds scaled to it (``share``). So few
orders have some variants once only (two extension requests, one of them approved), and whether a
step still fits before "now" depends on the time of day: the quarter is seeded at a fixed moment.
"""

import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Department
from complaints.models import Category, Complaint
from workorders.demo.orders import DEFAULT_COUNT, seed_orders
from workorders.management.commands.seed_demo import SEEDERS
from workorders.models import ExtensionRequest, Status, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
COUNT = 60
SEEDED_AT = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning


def share(at_full_size: int) -> int:
    """A threshold set for the full demo (``DEFAULT_COUNT`` orders), scaled to ``COUNT``; at least 1."""
    return max(1, at_full_size * COUNT // DEFAULT_COUNT)


@time_machine.travel(SEEDED_AT, tick=True)
def test_seed_orders_builds_a_consistent_quarter_of_work_once(org, settings):
    # given the demo organisation and a demo size, when the demo orders are seeded
    settings.DEMO_ORDERS = COUNT
    now = timezone.now()
    result = seed_orders()

    # then: the configured number of orders, no step refused by a rule
    assert result["failures"] == []
    assert result["created"] == COUNT == WorkOrder.objects.count()
    orders = list(
        WorkOrder.objects.select_related("complaint", "customer__supply_unit", "category", "department")
    )

    # every one of the seven states and every way of closing
    assert {o.status for o in orders} == set(Status.values)
    assert {o.outcome for o in orders if o.status == Status.CLOSED} == {
        "resolved",
        "explained",
        "unreachable",
        "merged",
        "not_established",
    }
    assert sum(o.status == Status.CLOSED for o in orders) > COUNT // 2

    # the closed orders spread over the last 90 days (from its first weeks on, on many distinct
    # days), the open ones recent (a snapshot of a working centre), nothing in the future
    closed = [o for o in orders if o.status == Status.CLOSED]
    days = {timezone.localtime(o.received_at).date() for o in closed}
    assert len(days) >= min(60, len(closed) * 2 // 3)
    open_ = [o for o in orders if o.status != Status.CLOSED]
    assert sum(o.received_at >= now - timedelta(days=4) for o in open_) >= len(open_) * 4 // 5
    assert min(o.received_at for o in orders) <= now - timedelta(days=80)
    assert all(now - timedelta(days=91) <= o.received_at <= now for o in orders)

    # each order's events tell its story consistently: they start with "create", run in time order,
    # number the versions 1..version, and the last one leads to the order's current state
    events = defaultdict(list)
    for e in WorkOrderEvent.objects.order_by("created_at", "id"):
        events[e.order_id].append(e)
    for o in orders:
        evs = events[o.pk]
        assert evs[0].action == "create" and evs[0].created_at >= o.received_at
        assert evs[-1].to_status == o.status, o.tracking_no
        assert [e.version for e in evs] == list(range(1, o.version + 1)), o.tracking_no
        assert all(a.created_at <= b.created_at <= now for a, b in pairwise(evs))
        for a, b in pairwise(evs):
            if a.to_status and b.action != "merged_from":
                assert b.from_status == a.to_status, o.tracking_no
        # the counters are what the events say
        actions = Counter(e.action for e in evs)
        assert o.urge_count == actions["urge"] + actions["merged_from"]
        assert o.return_count == actions["return"]
        assert o.reopen_count == sum(
            e.from_status in ("callback", "closed") and e.to_status == "processing" for e in evs
        )

    # the lifecycle's variety is there
    assert sum(o.urge_count > 0 for o in orders) >= share(10)
    assert sum(o.urge_count >= 3 and o.is_supervised for o in orders) >= 1
    assert sum(o.return_count > 0 for o in orders) >= share(5)
    assert sum(o.reopen_count > 0 for o in orders) >= share(5)
    assert sum(o.reject_count > 0 for o in orders) >= share(5)
    assert sum(o.is_escalated for o in orders) >= share(3)
    repeats = [o for o in orders if o.is_repeat]
    assert len(repeats) >= max(2, share(5))
    assert all(
        o.repeat_of.closed_at <= o.received_at and o.repeat_of.customer_id == o.customer_id for o in repeats
    )
    assert all(o.level != "general" for o in repeats)
    keys = [o for o in orders if o.is_key_customer]
    assert keys and all(o.level != "general" for o in keys)
    assert {"pending", "approved"} <= set(ExtensionRequest.objects.values_list("state", flat=True))
    assert any(o.needs_supervisor_decision and o.status == Status.CALLBACK for o in orders)

    # categories in domain.md §6's proportions, leaves of every kind (all of them at the full size)
    categorised = [o.category or o.complaint.category for o in orders]
    l1 = Counter(c.code[:2] for c in categorised if c)
    assert l1.most_common(1)[0][0] == "04" and 0.42 <= l1["04"] / sum(l1.values()) <= 0.62
    assert set(l1) == {"01", "02", "03", "04", "05"}
    leaves = set(Category.objects.filter(level=3).values_list("code", flat=True))
    used = {c.code for c in categorised if c}
    assert used <= leaves and len(used) >= min(len(leaves), COUNT // 3)

    # channels and departments of the demo company
    assert len({o.channel for o in orders}) >= 8
    handled = {o.department.code for o in orders if o.department}
    assert {"BJ-YX", "BJ-YJ", "BJ-CD", "BJ-CX", "BJ-CN", "BJ-JS"} <= handled
    # customers belong to supply units, and their orders to the unit
    assert all(o.customer.supply_unit.kind == Department.Kind.SUPPLY_UNIT for o in orders)
    assert all(o.unit_id == o.customer.supply_unit_id for o in orders)

    # the text is Chinese, complete and varied
    for o in orders:
        c = o.complaint
        for text in (c.content, c.demand, c.address, c.customer_name, o.cause, o.measures, o.reply):
            assert "{" not in text and "}" not in text
        assert CJK.search(c.content) and CJK.search(c.demand) and c.address.startswith("滨江市")
        assert re.fullmatch(r"1[3-9]\d{9}", c.phone)
        assert c.account_no == "" or re.fullmatch(r"\d{10}", c.account_no)
        if o.replied_at:
            assert CJK.search(o.cause) and CJK.search(o.reply) and o.truthfulness
    assert len({o.complaint.content for o in orders}) >= share(100)

    # when it runs again (directly or through seed_demo, whose deadline sweep already ran once
    # here, at the same moment), nothing is added
    from workorders.deadlines.sweep import sweep

    with time_machine.travel(timezone.now(), tick=False):
        sweep()
        counts = (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), Complaint.objects.count())
        assert seed_orders() == {"created": 0, "failures": []}
        settings.DEBUG = True
        assert "workorders.demo.orders.seed_orders" in SEEDERS
        call_command("seed_demo")  # the other seeders (outages: their own complaints) add theirs once
        counts = (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), Complaint.objects.count())
        call_command("seed_demo")
        assert (
            WorkOrder.objects.count(),
            WorkOrderEvent.objects.count(),
            Complaint.objects.count(),
        ) == counts


def test_seed_orders_is_deterministic(org):
    now = timezone.now()
    seed_orders(count=40, now=now)
    first = list(
        WorkOrder.objects.order_by("pk").values_list(
            "status", "level", "category__code", "department__code", "urge_count", "complaint__content"
        )
    )
    assert len(first) == 40

    # after wiping the orders (raw test cleanup, not an application path) the same seed gives the same orders
    WorkOrderEvent.objects.all().delete()
    for model in ("workorders.Assignment", "workorders.ExtensionRequest"):
        apps.get_model(model).objects.all().delete()
    WorkOrder.objects.update(merged_into=None, repeat_of=None, related_to=None)
    WorkOrder.objects.all().delete()
    Complaint.objects.all().delete()
    seed_orders(count=40, now=now)
    second = list(
        WorkOrder.objects.order_by("pk").values_list(
            "status", "level", "category__code", "department__code", "urge_count", "complaint__content"
        )
    )
    assert second == first


@time_machine.travel(SEEDED_AT, tick=True)
def test_the_full_demo_has_the_figures_of_a_real_centre(org):
    # given the demo as `make run` seeds it (DEFAULT_COUNT orders, one deadline sweep after them)
    from accounts.demo import seed_duty_roster
    from notifications.models import Delivery
    from workorders.deadlines.sweep import sweep
    from workorders.stats.reads import StatsFilter, stats_dashboard, stats_summary

    seed_duty_roster()
    seed_orders(count=DEFAULT_COUNT)
    sweep()
    manager = org[1]["manager"]
    # when the manager opens the dashboard
    summary = stats_summary(manager, StatsFilter())
    ranking = stats_dashboard(manager, StatsFilter())["ranking"]
    # then: mostly on time, with a few late stages and departments, and a handful of overdue orders
    assert 0.85 <= summary["on_time_rate"] <= 0.97, summary["on_time_rate"]
    stages = summary["stage_on_time"]
    assert all(0.75 <= rate <= 1.0 for rate in stages.values() if rate is not None), stages
    rates = [r["on_time_rate"] for r in ranking if r["on_time_rate"] is not None]
    assert min(rates) < 0.9 and max(rates) == 1.0, rates
    assert 0 < summary["overdue"] <= summary["open"] // 4, (summary["overdue"], summary["open"])
    # and the manager's phone is not flooded: besides one 快报 per serious order (and level), SMS only
    # for 特殊/重大 orders and escalations from level 2
    sms = Delivery.objects.filter(user=manager, channel="sms").select_related("message__order")
    fast = [d for d in sms if d.message.event_type == "serious_complaint"]
    assert len({d.message.dedupe_key for d in fast}) == len(fast)
    others = [d for d in sms if d.message.event_type != "serious_complaint"]
    assert len(others) <= DEFAULT_COUNT // 10, [(d.message.event_type, d.message.order.level) for d in others]
    assert len(sms) < 100, (len(fast), len(others))
    for d in others:
        level = d.message.data["event"]["payload"].get("escalation_level") or 0
        assert d.message.order.level in ("special", "major") or level >= 2, d.message.event_type
