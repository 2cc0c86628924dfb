"""协办 and 转办 (issue 16, item 2; design.md second stage).

A dispatcher assigns a lead department (主办) and assisting departments (协办); each assisting
department sees the order and gives its part (``assist``, its opinion) by the ``assist`` deadline;
the lead's ``reply`` is refused with ``assisting_pending`` until every part is in or a dispatcher
waived it. The lead transfers (转办) the order before contacting the customer; after that only a
dispatcher may.
"""

import pytest
from django.urls import reverse

from tests.workorders.factories import act, snapshot
from workorders.lifecycle import available_actions
from workorders.models import Assignment, AssistRequest, Deadline, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

REPLY = {
    "cause": "低压线路老化",
    "truthfulness": "not_true",
    "measures": "更换线路",
    "reply": "已更换线路，电压恢复正常。",
}


def co_handled(build, api_client_for, depts):
    """An order in assignment routed to 运维检修部 (lead) with 市场营销部 and 城东供电所 assisting."""
    order = build.order("assignment")
    act(
        api_client_for("dispatcher"),
        order.pk,
        "assign",
        department=depts["BJ-YJ"].pk,
        assisting_departments=[depts["BJ-YX"].pk, depts["BJ-CD"].pk],
    )
    return WorkOrder.objects.get(pk=order.pk)


def offered(order, user):
    return {a.code for a in available_actions(WorkOrder.objects.get(pk=order.pk), user)}


def test_assisting_departments_get_parts_and_see_the_order(build, users, depts, api_client_for):
    order = co_handled(build, api_client_for, depts)
    parts = list(AssistRequest.objects.filter(order=order).order_by("department__code"))
    assert [(p.department.code, p.state) for p in parts] == [("BJ-CD", "pending"), ("BJ-YX", "pending")]
    assert set(
        Assignment.objects.filter(order=order, role="assist").values_list("department__code", flat=True)
    ) == {
        "BJ-YX",
        "BJ-CD",
    }
    # the parts share one clock, and each part shows its due time
    (row,) = Deadline.objects.filter(order=order, stage="assist")
    assert row.is_open and all(p.due_at == row.due_at for p in parts)
    # the assisting handlers see it and are offered their part, never the lead's actions
    assert api_client_for("handler").get(f"/api/v1/workorders/{order.pk}/").status_code == 200
    assert offered(order, users["handler"]) & {"assist", "accept", "reply", "transfer"} == {"assist"}
    assert "assist" not in offered(order, users["handler2"])
    assert "waive_assist" in offered(order, users["dispatcher"])
    event = WorkOrderEvent.objects.get(order=order, action="assign")
    assert sorted(event.payload["assisting"]) == sorted([depts["BJ-YX"].pk, depts["BJ-CD"].pk])


def test_the_lead_replies_only_once_every_part_is_in_or_waived(build, users, depts, api_client_for):
    order = co_handled(build, api_client_for, depts)
    lead = api_client_for("handler2")
    act(lead, order.pk, "accept")
    act(lead, order.pk, "contact", method="phone", comment="已联系客户")
    before = snapshot()
    refused = act(lead, order.pk, "reply", expect=409, **REPLY)
    assert refused["code"] == "assisting_pending" and snapshot() == before
    assert "reply" not in offered(order, users["handler2"])  # the page offers it only when it can succeed
    # 市场营销部 gives its part; 城东供电所's is waived by the dispatcher
    act(api_client_for("handler"), order.pk, "assist", opinion="经核查电费计算无误")
    assert act(lead, order.pk, "reply", expect=409, **REPLY)["code"] == "assisting_pending"
    act(
        api_client_for("dispatcher"),
        order.pk,
        "waive_assist",
        department=depts["BJ-CD"].pk,
        reason="无需城东所意见",
    )
    assert "reply" in offered(order, users["handler2"])
    act(lead, order.pk, "reply", **REPLY)
    parts = {p.department.code: p for p in AssistRequest.objects.filter(order=order)}
    assert parts["BJ-YX"].state == "submitted" and parts["BJ-YX"].opinion == "经核查电费计算无误"
    assert parts["BJ-YX"].done_by == users["handler"]
    assert parts["BJ-CD"].state == "waived" and parts["BJ-CD"].waive_reason == "无需城东所意见"
    assert Deadline.objects.get(order=order, stage="assist").met_at is not None
    assert WorkOrder.objects.get(pk=order.pk).status == "review"


def test_a_part_is_given_once_and_only_by_its_department(build, depts, api_client_for):
    order = co_handled(build, api_client_for, depts)
    act(api_client_for("handler"), order.pk, "assist", opinion="营销部意见")
    again = act(api_client_for("handler"), order.pk, "assist", opinion="再次提交", expect=409)
    assert again["code"] == "no_assist_pending"
    lead = act(api_client_for("handler2"), order.pk, "assist", opinion="主办部门不是协办", expect=409)
    assert lead["code"] == "no_assist_pending"
    # an assisting handler cannot take the lead's steps
    assert act(api_client_for("handler"), order.pk, "accept", expect=403)["code"] == "not_your_department"


def test_the_lead_cannot_also_assist(build, depts, api_client_for):
    order = build.order("assignment")
    answer = act(
        api_client_for("dispatcher"),
        order.pk,
        "assign",
        department=depts["BJ-YJ"].pk,
        assisting_departments=[depts["BJ-YJ"].pk],
        expect=400,
    )
    assert "assisting_departments" in answer
    assert not AssistRequest.objects.filter(order=order).exists()


def test_transfer_before_contact_by_the_department_after_it_by_a_dispatcher(
    build, users, depts, api_client_for
):
    order = build.order("processing", stage="accepted")
    act(api_client_for("handler2"), order.pk, "transfer", department=depts["BJ-YX"].pk, reason="属电费问题")
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.department == depts["BJ-YX"] and order.assignee is None and order.accepted_at is None
    old = Assignment.objects.get(order=order, department=depts["BJ-YJ"])
    assert old.returned_at is not None and old.return_reason == "属电费问题"
    # the new department accepts it; the old one still sees its history but cannot act
    assert "accept" in offered(order, users["handler"])
    assert act(api_client_for("handler2"), order.pk, "accept", expect=403)["code"] == "not_your_department"
    # after the first contact, the department may no longer transfer; a dispatcher may
    act(api_client_for("handler"), order.pk, "accept")
    act(api_client_for("handler"), order.pk, "contact", method="phone")
    refused = act(
        api_client_for("handler"), order.pk, "transfer", department=depts["BJ-CD"].pk, reason="x", expect=409
    )
    assert refused["code"] == "already_contacted"
    assert "transfer" not in offered(order, users["handler"])
    act(api_client_for("dispatcher"), order.pk, "transfer", department=depts["BJ-CD"].pk, reason="供电所负责")
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.department == depts["BJ-CD"] and order.first_contact_at is not None  # the contact stands
    event = WorkOrderEvent.objects.filter(order=order, action="transfer").latest("pk")
    assert event.payload["from_department"] == depts["BJ-YX"].pk and event.payload["reason"] == "供电所负责"


def test_transfer_to_the_same_department_is_refused(build, depts, api_client_for):
    order = build.order("processing", stage="accepted")
    answer = act(
        api_client_for("handler2"), order.pk, "transfer", department=depts["BJ-YJ"].pk, reason="x", expect=400
    )
    assert "department" in answer


def test_the_order_page_lists_the_parts_and_offers_several_departments(
    build, depts, api_client_for, page_client_for
):
    order = build.order("assignment")
    page = page_client_for("dispatcher").get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'name="assisting_departments" multiple' in page
    # the dispatcher assigns through the page with two assisting departments
    client = page_client_for("dispatcher")
    client.post(
        reverse("workorders:act", args=[order.pk, "assign"]),
        {
            "version": WorkOrder.objects.get(pk=order.pk).version,
            "department": depts["BJ-YJ"].pk,
            "assisting_departments": [depts["BJ-YX"].pk, depts["BJ-CD"].pk],
        },
    )
    assert AssistRequest.objects.filter(order=order, state="pending").count() == 2
    body = page_client_for("handler").get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="assists"' in body and 'data-action="assist"' in body
    assert body.count('data-assist-state="pending"') == 2


def test_the_rules_tell_the_assisting_departments_and_the_new_holder(build, users, depts, api_client_for):
    from notifications.models import Notification

    order = co_handled(build, api_client_for, depts)
    # each assisting department's handlers hear of their part; the lead's handler of the assignment
    asked = set(
        Notification.objects.filter(order=order, event_type="assist_requested").values_list(
            "user__username", flat=True
        )
    )
    assert {"handler", "handler3"} <= asked and "handler2" not in asked
    # a part submitted reaches the lead department
    act(api_client_for("handler"), order.pk, "assist", opinion="营销部意见")
    told = set(
        Notification.objects.filter(order=order, event_type="assist").values_list("user__username", flat=True)
    )
    assert "handler2" in told
