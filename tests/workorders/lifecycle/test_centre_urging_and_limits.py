"""Issue 16, items 4 and 8: the centre's own 催办 to a department (``internal_urge``), kept apart from
the customer's urging and counted in the department's figures; and the limits of the centre's stages
(督办's answer, 协办 parts, the 12398/12345 platform reply) taken from the SLA policy, falling back on
the settings or the platform's channel limit when the policy leaves them empty."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from notifications.models import Notification
from tests.workorders.factories import act, snapshot
from workorders.lifecycle import available_actions
from workorders.models import DAILY_MEASURES, Deadline, SlaPolicy, StatsDaily, WorkOrder, WorkOrderEvent
from workorders.stats.reads import StatsFilter, derived, stats_dashboard, stats_summary

pytestmark = pytest.mark.django_db


def offered(order, user):
    return {a.code for a in available_actions(WorkOrder.objects.get(pk=order.pk), user)}


def figures(**lookup):
    return derived(StatsDaily.objects.filter(**lookup).aggregate(**{m: Sum(m) for m in DAILY_MEASURES}))


def test_the_centre_urges_the_department_apart_from_the_customer(build, users, depts, api_client_for):
    order = build.order("processing")
    level = order.level
    # offered to the centre's roles, not to the agent (who records the customer's urging) nor the handler
    assert "internal_urge" in offered(order, users["dispatcher"])
    assert "internal_urge" in offered(order, users["supervisor"])
    assert "internal_urge" not in offered(order, users["agent"]) | offered(order, users["handler2"])
    body = act(api_client_for("dispatcher"), order.pk, "internal_urge", comment="客户第三次来电，请今日联系")
    assert body["status"] == "processing"
    act(api_client_for("supervisor"), order.pk, "internal_urge", comment="请部门负责人过问")
    order = WorkOrder.objects.get(pk=order.pk)
    # counted on its own: the customer's urging, the level and the upgrade tendency stay as they were
    assert order.internal_urge_count == 2 and order.urge_count == 0
    assert order.level == level and not order.upgrade_tendency and not order.is_supervised
    first, second = WorkOrderEvent.objects.filter(order=order, action="internal_urge").order_by("pk")
    assert first.payload["count"] == 1 and second.payload["count"] == 2
    assert first.payload["department_name"] == depts["BJ-YJ"].name and first.actor == users["dispatcher"]
    # the handling department hears of it (its handler, and its leader in the inbox)
    told = Notification.objects.filter(order=order, event_type="internal_urge")
    assert told.filter(user=users["handler2"]).count() == 2
    # it counts once per order in the handling department's figures, not in the customer's urge rate
    mine = figures(department_id=depts["BJ-YJ"].pk)
    assert mine["internal_urged"] == 1 and mine["internal_urge_rate"] == 1.0 and mine["urge_rate"] == 0.0
    assert figures(department_id=depts["BJ-YX"].pk)["internal_urged"] == 0


def test_the_dashboard_ranking_and_page_show_the_centre_urges(build, users, api_client_for, page_client_for):
    urged, calm = build.order("processing"), build.order("processing")
    act(api_client_for("manager"), urged.pk, "internal_urge", comment="请加快处理")
    ranking = stats_dashboard(users["manager"], StatsFilter())["ranking"]
    (row,) = [r for r in ranking if r["name"] == "运维检修部"]
    assert row["received"] == 2 and row["internal_urged"] == 1
    summary = stats_summary(users["manager"], StatsFilter())
    assert summary["internal_urged"] == 1 and summary["internal_urge_rate"] == 0.5
    assert WorkOrder.objects.get(pk=calm.pk).internal_urge_count == 0
    # the dashboard's ranking has the column, in both languages
    assert "中心催办" in page_client_for("manager", "zh-hans").get("/dashboard/").content.decode()
    assert "Centre urges" in page_client_for("manager", "en").get("/dashboard/").content.decode()


def test_an_urge_without_text_or_in_the_wrong_state_changes_nothing(build, api_client_for):
    order = build.order("processing")
    review = build.order("review")
    before = snapshot()
    assert act(api_client_for("dispatcher"), order.pk, "internal_urge", expect=400)["code"] == "invalid"
    assert act(api_client_for("dispatcher"), review.pk, "internal_urge", comment="x", expect=409)
    assert act(api_client_for("agent"), order.pk, "internal_urge", comment="x", expect=403)
    assert snapshot() == before


def test_a_double_submit_urges_once(build, api_client_for):
    order = build.order("processing")
    client = api_client_for("dispatcher")
    act(client, order.pk, "internal_urge", comment="请加快", version=order.version)
    again = act(client, order.pk, "internal_urge", comment="请加快", version=order.version, expect=409)
    assert again["code"] == "stale_version"
    assert WorkOrder.objects.get(pk=order.pk).internal_urge_count == 1


# --- the centre's stages: limits from the SLA policy ------------------------------------------------


def _row(order, stage):
    return Deadline.objects.filter(order=order, stage=stage).order_by("-pk").first()


def test_a_supervision_without_due_time_takes_the_policy_limit(build, api_client_for, settings):
    settings.SUPERVISION_FEEDBACK_LIMIT = "1wd"  # the fallback: not used while the policy has a limit
    SlaPolicy.objects.filter(level="general").update(supervision_limit=3, supervision_unit="hours")
    order = build.order("processing")
    before = timezone.now()
    act(api_client_for("supervisor"), order.pk, "supervise", requirements="三小时内反馈")
    row = _row(order, "supervision")
    assert (row.limit_value, row.limit_unit) == (3, "hours")
    assert timedelta(hours=2, minutes=59) < row.due_at - before < timedelta(hours=3, minutes=1)


def test_the_assisting_parts_take_the_policy_limit_else_the_setting(build, depts, api_client_for, settings):
    def co_handle(order):  # 运维检修部 leads, 市场营销部 assists
        act(
            api_client_for("dispatcher"),
            order.pk,
            "assign",
            department=depts["BJ-YJ"].pk,
            assisting_departments=[depts["BJ-YX"].pk],
        )

    settings.ASSIST_LIMIT = "2wd"
    SlaPolicy.objects.filter(level="general").update(assist_limit=6, assist_unit="hours")
    order = build.order("assignment")
    before = timezone.now()
    co_handle(order)
    row = _row(order, "assist")
    assert (row.limit_value, row.limit_unit) == (6, "hours")
    assert timedelta(hours=5, minutes=59) < row.due_at - before < timedelta(hours=6, minutes=1)
    # a policy without an assisting limit: the setting's
    SlaPolicy.objects.filter(level="general").update(assist_limit=None)
    other = build.order("assignment")
    co_handle(other)
    row = _row(other, "assist")
    assert (row.limit_value, row.limit_unit) == (2, "working_days")


def test_the_platform_reply_takes_the_policy_limit_else_the_channel_limit(build):
    plain = build.order("processing", channel="gov_12345", external_ref="12345-2026-1")
    assert (_row(plain, "platform").limit_value, _row(plain, "platform").limit_unit) == (7, "calendar_days")
    SlaPolicy.objects.create(
        name="12345 快速回复",
        level="general",
        channel="gov_12345",
        platform_limit=3,
        platform_unit="calendar_days",
    )
    fast = build.order("processing", channel="gov_12345", external_ref="12345-2026-2")
    row = _row(fast, "platform")
    assert (row.limit_value, row.limit_unit, row.basis) == (3, "calendar_days", "platform")


def test_the_default_policies_are_seeded_with_centre_limits():
    limits = {p.level: p.limits() for p in SlaPolicy.objects.filter(category=None, channel="")}
    assert limits["special"]["supervision"] == {"value": 4, "unit": "working_hours"}
    assert limits["general"]["assist"] == {"value": 2, "unit": "working_days"}
    assert "platform" not in limits["general"]  # the channel's own limit applies
