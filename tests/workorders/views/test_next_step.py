"""The order page puts the next step in front of the user (issue 14, item 2): the form the order
waits for opens by default, a level change asks for a reason and a confirmation, a banner says why
the order is back, the header's time left is the current stage's, and messages are plain words."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from workorders.lifecycle import ACTIONS
from workorders.lifecycle.messages import DONE
from workorders.models import Deadline, Stage, WorkOrder

pytestmark = pytest.mark.django_db


def detail(client, order):
    return client.get(reverse("workorders:detail", args=[order.pk]))


def post_action(client, order, code, **data):
    version = WorkOrder.objects.get(pk=order.pk).version
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "order-detail"}
    return client.post(
        reverse("workorders:act", args=[order.pk, code]), {"version": version, **data}, **headers
    )


def open_forms(body):
    """The action forms the page shows open, in page order."""
    return re.findall(r'<details class="action-form[^"]*" open data-action="([^"]+)"', body)


def offered(body):
    return re.findall(r'<details class="action-form[^"]*"(?: open)? data-action="([^"]+)"', body)


def extension_requested(build, order, *, days=5):
    due = timezone.now() + timedelta(days=days)
    build.do(
        order,
        "request_extension",
        "handler2",
        requested_due_at=due,
        reason="需要更换变压器",
        basis="物资到货需5个工作日",
    )
    return due


# --- the form open by default -------------------------------------------------------------------


def test_handler_is_offered_accept_then_contact_then_reply(page_client_for, processing, build):
    client = page_client_for("handler2")
    # given an order just assigned: accept is the step
    assert open_forms(detail(client, processing).content.decode()) == ["accept"]
    # when accepted: the contact
    build.accept(processing)
    assert open_forms(detail(client, processing).content.decode()) == ["contact"]
    # when the customer was contacted: the reply (contact is still offered, closed)
    build.contact(processing)
    body = detail(client, processing).content.decode()
    assert open_forms(body) == ["reply"] and "contact" in offered(body)
    assert offered(body)[0] == "reply"  # the step first


def test_supervisor_in_review_gets_approve_and_reject_never_escalate(page_client_for, build):
    order = build.order("review")
    body = detail(page_client_for("supervisor"), order).content.decode()
    assert open_forms(body) == ["approve", "reject"]
    assert "escalate" in offered(body) and "escalate" not in open_forms(body)


def test_supervisor_with_nothing_waiting_gets_no_default_form(page_client_for, build):
    order = build.order("processing")
    body = detail(page_client_for("supervisor"), order).content.decode()
    assert "escalate" in offered(body) and open_forms(body) == []


def test_agent_default_in_callback_is_the_callback(page_client_for, build):
    order = build.order("callback")
    body = detail(page_client_for("agent"), order).content.decode()
    assert open_forms(body) == ["callback"]


def test_agent_is_not_offered_to_urge_their_own_new_order(page_client_for, order, users):
    # given an order the agent has just taken down
    assert order.received_by == users["agent"]
    body = detail(page_client_for("agent"), order).content.decode()
    # then urging it is not offered, and nothing opens by default
    assert "urge" not in offered(body) and open_forms(body) == []


def test_agent_may_urge_their_order_once_it_is_routed(page_client_for, processing):
    body = detail(page_client_for("agent"), processing).content.decode()
    assert "urge" in offered(body) and "urge" not in open_forms(body)


def test_a_refused_form_stays_open_instead_of_the_default(page_client_for, build):
    order = build.order("processing", stage="accepted")
    body = post_action(page_client_for("handler2", "en"), order, "contact").content.decode()
    assert open_forms(body) == ["contact"]


# --- escalate: a reason and a confirmation ------------------------------------------------------


def test_escalate_asks_for_confirmation_naming_both_levels(page_client_for, build):
    order = build.order("processing")
    body = detail(page_client_for("supervisor", "en"), order).content.decode()
    form = body[body.index('data-action="escalate"') :]
    form = form[: form.index("</details>")]
    assert 'hx-confirm="Raise this order from General to Important?' in form
    assert 'id="escalate-comment"' in form and "Reason for raising the level" in form


def test_escalate_without_a_reason_is_refused_in_plain_words(page_client_for, build):
    order = build.order("processing")
    response = post_action(page_client_for("supervisor", "en"), order, "escalate", comment="")
    body = response.content.decode()
    assert "Give the reason for raising the level." in body
    assert WorkOrder.objects.get(pk=order.pk).level == "general"


def test_escalate_with_its_reason_records_it(page_client_for, build):
    order = build.order("processing")
    body = post_action(
        page_client_for("supervisor", "en"), order, "escalate", comment="媒体关注"
    ).content.decode()
    order.refresh_from_db()
    assert order.level == "important"
    event = order.events.get(action="escalate")
    assert event.payload["comment"] == "媒体关注"
    assert "Escalated: the order is now Important." in body


# --- why it is back -----------------------------------------------------------------------------


def test_rejected_order_shows_the_reason_and_who_and_prefills_the_reply(page_client_for, build, users):
    order = build.order("review")
    build.do(order, "reject", "supervisor", reason="答复过于简单，请补充整改时间")
    body = detail(page_client_for("handler2", "en"), order).content.decode()
    banner = body[body.index('data-testid="back-banner"') :]
    banner = banner[: banner.index("</div>")]
    assert "答复过于简单，请补充整改时间" in banner and str(users["supervisor"]) in banner
    assert 'data-back="rejected"' in banner
    # the reply form opens with the last reply in it
    assert open_forms(body) == ["reply"]
    assert '<textarea class="form-control form-control-sm" id="reply-reply"' in body
    assert ">已完成台区改造，电压恢复正常</textarea>" in body
    assert re.search(r'<option value="true" selected>', body)


def test_a_new_reply_clears_the_banner(page_client_for, build):
    order = build.order("review")
    build.do(order, "reject", "supervisor", reason="请补充")
    build.reply(order)
    body = detail(page_client_for("supervisor", "en"), order).content.decode()
    assert 'data-testid="back-banner"' not in body


def test_returned_order_shows_the_reason_and_the_department(page_client_for, build, depts):
    order = build.returned()
    body = detail(page_client_for("dispatcher", "en"), order).content.decode()
    assert 'data-back="returned"' in body and "不属于本部门职责" in body
    assert f"Returned by {depts['BJ-YJ'].name}" in body
    assert open_forms(body) == ["assign"]


def test_unsatisfied_callback_shows_its_reason_to_the_handler(page_client_for, build):
    order = build.order("callback")
    build.do(
        order,
        "callback",
        "agent",
        reached=True,
        satisfaction="unsatisfied",
        dissatisfaction_reason="attitude",
        comment="客户对态度不满",
    )
    body = detail(page_client_for("handler2", "en"), order).content.decode()
    assert 'data-back="unsatisfied"' in body and "Staff attitude" in body and "客户对态度不满" in body


def test_closed_order_shows_no_banner_and_no_time_left(page_client_for, build):
    order = build.order("closed")
    response = detail(page_client_for("supervisor", "en"), order)
    assert 'data-testid="back-banner"' not in response.content.decode()
    assert response.context["time_text"] == ""


# --- the header's time left and the deadlines by cycle ------------------------------------------


def test_time_left_after_an_approved_extension_is_the_extended_due_time(page_client_for, build):
    order = build.order("processing")
    due = extension_requested(build, order, days=20)  # beyond the regulatory ceiling of 95598
    build.do(order, "decide_extension", "supervisor", approve=True, comment="同意", beyond_regulatory=True)
    response = detail(page_client_for("handler2", "en"), order)
    assert abs((response.context["order"].next_due - due).total_seconds()) < 1


def test_time_left_after_a_reopen_is_the_new_reply_clock(page_client_for, build):
    order = build.order("closed")
    build.do(order, "reopen", "supervisor", reason="客户再次来电")
    reply = Deadline.objects.open().filter(order=order, stage=Stage.REPLY).order_by("-pk").first()
    response = detail(page_client_for("handler2", "en"), order)
    assert response.context["order"].next_due == reply.due_at


def test_deadlines_are_grouped_by_cycle(page_client_for, build):
    order = build.order("review")
    build.do(order, "reject", "supervisor", reason="请补充")
    build.reply(order)
    build.approve(order)
    build.callback(order, satisfaction="unsatisfied")  # reopened
    response = detail(page_client_for("handler2", "en"), order)
    labels = [g["label"] for g in response.context["deadline_groups"]]
    assert labels == ["First handling", "After rejection 1", "After reopen 1"]
    body = response.content.decode()
    assert body.count('data-testid="deadline-group"') == 3 and "After reopen 1</th>" in body


# --- messages -----------------------------------------------------------------------------------


def test_every_action_has_a_message_builder():
    assert set(DONE) == set(ACTIONS)


def test_unsatisfied_callback_says_where_the_order_went(page_client_for, build, depts):
    order = build.order("callback")
    body = post_action(
        page_client_for("agent", "en"),
        order,
        "callback",
        reached="true",
        satisfaction="unsatisfied",
        dissatisfaction_reason="process_not_done",
    ).content.decode()
    assert (
        "Callback recorded: the customer is unsatisfied; the order is back with "
        f"{depts['BJ-YJ'].name} for handling again."
    ) in body


def test_unsatisfied_callback_without_its_reason_is_refused_on_the_page(page_client_for, build):
    order = build.order("callback")
    body = post_action(
        page_client_for("agent", "en"), order, "callback", reached="true", satisfaction="unsatisfied"
    ).content.decode()
    assert "Choose why the customer is unsatisfied." in body
    assert WorkOrder.objects.get(pk=order.pk).status == "callback"


def test_contact_without_a_method_says_so(page_client_for, build):
    order = build.order("processing", stage="accepted")
    body = post_action(page_client_for("handler2", "en"), order, "contact", method="").content.decode()
    assert "Choose how the customer was contacted." in body


def test_too_long_text_says_the_limit_and_the_length(page_client_for, build):
    order = build.order("processing")
    body = post_action(
        page_client_for("supervisor", "en"), order, "escalate", comment="长" * 2100
    ).content.decode()
    assert "At most 2000 characters; this has 2100." in body


def test_long_text_fields_carry_a_character_counter(page_client_for, build):
    order = build.order("processing")
    body = detail(page_client_for("handler2", "en"), order).content.decode()
    assert 'data-max-chars="4000"' in body and 'data-count-for="reply-reply"' in body
    assert "js/order-detail.js" in body


# --- the extension decision ---------------------------------------------------------------------


def test_extension_decision_shows_the_request_with_agree_and_disagree(page_client_for, build):
    order = build.order("processing")
    due = extension_requested(build, order, days=3)
    body = detail(page_client_for("supervisor", "en"), order).content.decode()
    assert open_forms(body) == ["decide_extension"]
    request = body[body.index('data-testid="extension-request"') :]
    assert timezone.localtime(due).strftime("%Y-%m-%d %H:%M") in request[:2000]
    assert "需要更换变压器" in request[:2000] and "物资到货需5个工作日" in request[:2000]
    assert 'name="approve" value="true"' in body and 'name="approve" value="false"' in body


def test_extension_decision_without_a_choice_says_so(page_client_for, build):
    order = build.order("processing")
    extension_requested(build, order)
    body = post_action(page_client_for("supervisor", "en"), order, "decide_extension").content.decode()
    assert "Choose whether to approve the extension." in body


def test_extension_refusal_is_said_and_recorded_in_the_timeline(page_client_for, build):
    order = build.order("processing")
    extension_requested(build, order)
    body = post_action(
        page_client_for("supervisor", "en"), order, "decide_extension", approve="false", comment="理由不充分"
    ).content.decode()
    assert "Extension refused: the reply deadline stays as it was." in body
    timeline = body[body.index('data-event="decide_extension"') :]
    timeline = timeline[: timeline.index("</li>")]
    assert "Approved:</span> No" in timeline and "理由不充分" in timeline
