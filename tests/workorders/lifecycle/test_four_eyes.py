"""Four eyes: nobody decides on their own work, whatever roles they hold.

A person who handled an order (accepted it or submitted its reply) may not approve or reject that
reply, nor make or decide its callback; nobody decides their own extension request. The API answers
409 ``four_eyes`` and changes nothing; the detail (API and page) does not offer the action; another
supervisor (or agent) still can.
"""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.workorders.factories import UserFactory, act, future, snapshot
from workorders.lifecycle import ACTIONS, available_actions
from workorders.lifecycle.four_eyes import FOUR_EYES
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

OWN_REPLY = "You handled this order and submitted its reply; another supervisor must review it."
OWN_EXTENSION = "You requested this extension; another supervisor must decide it."
OWN_CALLBACK = "You handled this order; someone else must make the callback to the customer."
OWN_DECISION = "You handled this order; another supervisor must decide after the callback."


@pytest.fixture
def lead(depts):
    """A team lead of 运维检修部 (BJ-YJ) who handles orders and supervises the department."""
    return UserFactory(username="lead", department=depts["BJ-YJ"], roles=[Role.HANDLER, Role.SUPERVISOR])


@pytest.fixture
def agent_handler(depts):
    """Someone of 运维检修部 (BJ-YJ) who handles orders and also makes callbacks."""
    return UserFactory(username="agent_handler", department=depts["BJ-YJ"], roles=[Role.HANDLER, Role.AGENT])


def offered(api, order) -> set[str]:
    return set(api.get(f"/api/v1/workorders/{order.pk}/").json()["available_actions"])


def page(client, order) -> str:
    return client.get(reverse("workorders:detail", args=[order.pk])).content.decode()


def test_the_table_names_real_actions():
    assert set(FOUR_EYES) <= set(ACTIONS)
    assert {"approve", "reject", "decide_extension", "callback", "decide_callback"} <= set(FOUR_EYES)


# --- the reply ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action,body", [("approve", {"comment": "同意"}), ("reject", {"reason": "措施不具体"})]
)
def test_a_handler_who_supervises_cannot_review_their_own_reply(action, body, build, lead, api_client_for):
    # given: the lead accepted, contacted and replied
    order = build.order("review", handler=lead)
    before = snapshot()

    # when
    data = act(api_client_for(lead, language="en"), order.pk, action, expect=409, **body)

    # then
    assert data == {"detail": OWN_REPLY, "code": "four_eyes"}
    assert snapshot() == before


def test_the_refusal_has_a_chinese_message_too(build, lead, api_client_for):
    order = build.order("review", handler=lead)
    data = act(api_client_for(lead, language="zh-hans"), order.pk, "approve", expect=409, comment="同意")
    assert data["code"] == "four_eyes" and data["detail"].strip()


def test_another_supervisor_approves_the_reply(build, lead, api_client_for):
    order = build.order("review", handler=lead)
    data = act(api_client_for("supervisor"), order.pk, "approve", comment="同意")
    assert data["status"] == "callback"


def test_a_reply_submitted_by_someone_else_of_the_department_is_still_their_own(build, lead, api_client_for):
    # given: handler2 accepted and contacted, the lead (also a handler of BJ-YJ) submitted the reply
    order = build.order("processing")
    build.reply(order, handler=lead)

    # then: the lead, the reply's author, may not review it
    data = act(api_client_for(lead), order.pk, "approve", expect=409, comment="同意")
    assert data["code"] == "four_eyes"
    order = WorkOrder.objects.get(pk=order.pk)
    assert {"approve", "reject"}.isdisjoint(a.code for a in available_actions(order, lead))


def test_the_assignee_who_supervises_cannot_review_a_reply_of_their_team(build, lead, api_client_for):
    # given: the lead accepted and contacted, handler2 of the same department wrote the reply
    order = build.order("processing", handler=lead)
    build.reply(order, handler="handler2")

    data = act(api_client_for(lead), order.pk, "reject", expect=409, reason="措施不具体")
    assert data["code"] == "four_eyes"


def test_the_detail_does_not_offer_reviewing_ones_own_reply(build, lead, api_client_for, page_client_for):
    order = build.order("review", handler=lead)

    assert {"approve", "reject"}.isdisjoint(offered(api_client_for(lead), order))
    assert {"approve", "reject"} <= offered(api_client_for("supervisor"), order)
    body = page(page_client_for(lead), order)
    assert 'data-action="approve"' not in body and 'data-action="reject"' not in body
    assert 'data-action="note"' in body  # the page is there, only the review is not offered
    assert 'data-action="approve"' in page(page_client_for("supervisor"), order)


def test_the_page_refuses_a_posted_approval_of_ones_own_reply(build, lead, page_client_for):
    order = build.order("review", handler=lead)
    before = snapshot()
    response = page_client_for(lead, language="en").post(
        reverse("workorders:act", args=[order.pk, "approve"]),
        {"version": order.version, "comment": "同意"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="order-detail",
    )
    body = response.content.decode()
    assert OWN_REPLY in body and 'data-action="approve"' not in body
    assert snapshot() == before


# --- the extension --------------------------------------------------------------------------------


def request_extension(build, order, who):
    return build.do(
        order, "request_extension", who, requested_due_at=future(), reason="需停电施工", basis="施工计划"
    )


def test_nobody_decides_their_own_extension_request(build, lead, api_client_for):
    # given: the lead handles the order and asks for more time
    order = build.order("processing", stage="accepted", handler=lead)
    request_extension(build, order, lead)
    before = snapshot()

    # when
    data = act(api_client_for(lead, language="en"), order.pk, "decide_extension", expect=409, approve=True)

    # then
    assert data == {"detail": OWN_EXTENSION, "code": "four_eyes"}
    assert snapshot() == before
    assert "decide_extension" not in offered(api_client_for(lead), order)


def test_another_supervisor_decides_the_extension(build, lead, api_client_for):
    order = build.order("processing", stage="accepted", handler=lead)
    request_extension(build, order, lead)
    assert "decide_extension" in offered(api_client_for("supervisor"), order)
    act(api_client_for("supervisor"), order.pk, "decide_extension", approve=True, comment="同意延期")
    assert WorkOrder.objects.get(pk=order.pk).extended_until is not None


def test_a_supervisor_decides_a_colleagues_extension_request(build, lead, api_client_for):
    # the lead did not ask for it (handler2 did, on an order handler2 handles): the lead may decide
    order = build.order("processing", stage="accepted")
    request_extension(build, order, "handler2")
    assert "decide_extension" in offered(api_client_for(lead), order)
    act(api_client_for(lead), order.pk, "decide_extension", approve=False, comment="不同意")


# --- the callback ---------------------------------------------------------------------------------


def test_the_handler_cannot_make_the_callback(build, agent_handler, api_client_for):
    # given: someone who is both agent and handler handled the order; a supervisor approved it
    order = build.order("callback", handler=agent_handler)
    before = snapshot()

    # when
    data = act(
        api_client_for(agent_handler, language="en"),
        order.pk,
        "callback",
        expect=409,
        reached=True,
        satisfaction="satisfied",
        comment="满意",
    )

    # then
    assert data == {"detail": OWN_CALLBACK, "code": "four_eyes"}
    assert snapshot() == before
    assert "callback" not in offered(api_client_for(agent_handler), order)
    assert "callback" in offered(api_client_for("agent"), order)
    act(api_client_for("agent"), order.pk, "callback", reached=True, satisfaction="satisfied", comment="满意")


def test_the_handler_cannot_decide_after_the_callback(build, lead, api_client_for):
    # given: the lead handled the order, another supervisor approved, the customer disputes the policy
    order = build.order("review", handler=lead)
    build.approve(order)
    build.do(
        order,
        "callback",
        "agent",
        reached=True,
        satisfaction="unsatisfied",
        dissatisfaction_reason="result_not_accepted_policy",
        comment="不接受政策解释",
    )
    before = snapshot()

    # when
    data = act(
        api_client_for(lead, language="en"),
        order.pk,
        "decide_callback",
        expect=409,
        reopen=False,
        comment="按政策解释",
    )

    # then
    assert data == {"detail": OWN_DECISION, "code": "four_eyes"}
    assert snapshot() == before
    assert "decide_callback" not in offered(api_client_for(lead), order)
    assert "decide_callback" in offered(api_client_for("supervisor"), order)
    data = act(api_client_for("supervisor"), order.pk, "decide_callback", reopen=False, comment="按政策解释")
    assert data["status"] == "closed"


def test_a_handler_of_an_earlier_round_cannot_make_the_callback(build, agent_handler, api_client_for):
    # given: agent_handler replied first; the supervisor rejected; handler2 took the second reply
    order = build.order("processing", stage="accepted")
    build.contact(order)
    build.reply(order, handler=agent_handler)
    build.do(order, "reject", "supervisor", reason="措施不具体")
    build.reply(order)
    build.approve(order)

    data = act(
        api_client_for(agent_handler),
        order.pk,
        "callback",
        expect=409,
        reached=True,
        satisfaction="satisfied",
    )
    assert data["code"] == "four_eyes"
