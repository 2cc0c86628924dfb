"""Each role's path through the API, from intake to closed."""

import pytest

from complaints.models import Category
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db


def intake(api, **overrides):
    body = {
        "channel": "phone_95598",
        "customer_name": "张先生",
        "phone": "13912345678",
        "account_no": "3301234567",
        "address": "滨江市城东区幸福路12号",
        "content": "家里电压长期偏低，空调无法启动。",
        "demand": "尽快解决低电压问题",
    }
    body.update(overrides)
    response = api.post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def act(api, order_id, action, expect=200, **body):
    version = WorkOrder.objects.get(pk=order_id).version
    response = api.post(
        f"/api/v1/workorders/{order_id}/{action}/", {"version": version, **body}, format="json"
    )
    assert response.status_code == expect, (action, response.json())
    return response.json()


def test_complaint_travels_from_intake_to_closed(api_client_for, depts):
    agent, dispatcher, handler, supervisor = (
        api_client_for(u) for u in ("agent", "dispatcher", "handler2", "supervisor")
    )
    low_voltage = Category.objects.get(code="040101")

    created = intake(agent)
    oid = created["workorder"]["id"]
    assert created["tracking_no"] and created["workorder"]["status"] == "classification"

    assert (
        act(dispatcher, oid, "classify", category=low_voltage.pk, level="general")["status"] == "assignment"
    )
    assert act(dispatcher, oid, "assign", department=depts["BJ-YJ"].pk)["status"] == "processing"
    assert act(handler, oid, "accept")["assignee"]["name"] == "刘强（运检部）"
    act(handler, oid, "contact", method="phone", comment="已电话联系客户，约定明日上门")
    replied = act(
        handler,
        oid,
        "reply",
        cause="台区变压器负载过重",
        truthfulness="true",
        measures="调整台区负荷，新增一台配变",
        reply="已于3日内完成台区改造，电压恢复正常",
        responsible_department=depts["BJ-YJ"].pk,
    )
    assert replied["status"] == "review"
    assert act(supervisor, oid, "approve", comment="同意")["status"] == "callback"
    closed = act(agent, oid, "callback", reached=True, satisfaction="satisfied", comment="客户表示满意")
    assert (
        closed["status"] == "closed"
        and closed["outcome"] == "resolved"
        and closed["satisfaction"] == "satisfied"
    )

    events = agent.get(f"/api/v1/workorders/{oid}/events/").json()
    assert [e["action"] for e in events] == [
        "create",
        "submit",
        "classify",
        "assign",
        "accept",
        "contact",
        "reply",
        "approve",
        "callback",
    ]
    assert events[-1]["from_status"] == "callback" and events[-1]["to_status"] == "closed"
    assert WorkOrderEvent.objects.filter(order_id=oid).count() == 9


def test_ui_is_offered_only_the_actions_that_can_succeed_now(api_client_for, depts):
    # given an order assigned to the operations department
    agent, dispatcher, handler = (
        api_client_for("agent"),
        api_client_for("dispatcher"),
        api_client_for("handler2"),
    )
    oid = intake(agent)["workorder"]["id"]
    act(dispatcher, oid, "classify", category=Category.objects.get(code="040101").pk, level="general")
    act(dispatcher, oid, "assign", department=depts["BJ-YJ"].pk)

    def offered():
        return set(handler.get(f"/api/v1/workorders/{oid}/").json()["available_actions"])

    # then before acceptance only accept (and the always-available ones) is offered
    assert {"accept", "return", "request_extension"} <= offered() and not {"contact", "reply"} & offered()
    act(handler, oid, "accept")
    assert "accept" not in offered() and "contact" in offered() and "reply" not in offered()
    act(handler, oid, "contact", method="phone", comment="已联系")
    assert "reply" in offered() and "return" not in offered()
    act(
        handler,
        oid,
        "request_extension",
        requested_due_at="2099-01-01T10:00:00+08:00",
        reason="需协调施工",
        basis="施工计划",
    )
    assert "request_extension" not in offered()
    assert "decide_extension" in set(
        api_client_for("supervisor").get(f"/api/v1/workorders/{oid}/").json()["available_actions"]
    )
