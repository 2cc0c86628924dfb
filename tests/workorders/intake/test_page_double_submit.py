"""A page form sent twice (a double or triple click, a retried request) does its work once.

The intake form carries a one-time token, the ``Idempotency-Key`` of the service the API uses: a
replay shows the first result. An action form on the order page sent twice finds the order one
version on: the second post shows the fresh order with a neutral message, never a second action.
"""

import re

import pytest
from django.urls import reverse

from complaints.models import Complaint, IdempotencyKey
from tests.builders import OrderBuilder
from tests.workorders.views.conftest import PAGE_COMPLAINT
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

FORM = {
    "phone": "13955556666",
    "account_no": "3305556666",
    "customer_name": "吴女士",
    "address": "滨江市城南区解放路3号",
    "channel": "phone_95598",
    "content": "表箱门损坏，存在安全隐患。",
    "demand": "尽快维修表箱",
    "external_ref": "",
}


def once_token(client) -> str:
    body = client.get(reverse("complaints:intake")).content.decode()
    return re.search(r'name="once_token" value="([0-9a-f-]{36})"', body).group(1)


# --- intake ---------------------------------------------------------------------------------------


def test_the_intake_form_carries_a_new_one_time_token_each_time(page_client_for):
    client = page_client_for("agent")
    body = client.get(reverse("complaints:intake")).content.decode()
    assert 'id="intake-form"' in body and "data-once" in body
    assert once_token(client) != once_token(client)


def test_a_triple_click_on_submit_registers_one_complaint(page_client_for):
    # given
    client = page_client_for("agent", "en")
    data = {**FORM, "once_token": once_token(client), "submit": "1"}
    # when
    answers = [client.post(reverse("complaints:intake"), data) for _ in range(3)]
    # then
    order = WorkOrder.objects.get()
    assert Complaint.objects.count() == 1 and order.status == "classification"
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("workorders:detail", args=[order.pk]))
    }
    assert IdempotencyKey.objects.get().key == "intake-page:" + data["once_token"]


def test_the_replay_shows_the_first_result_with_a_neutral_message(page_client_for):
    client = page_client_for("agent", "en")
    data = {**FORM, "once_token": once_token(client), "submit": "1"}
    client.post(reverse("complaints:intake"), data)
    # when
    replay = client.post(reverse("complaints:intake"), data, follow=True)
    # then
    order = WorkOrder.objects.get()
    body = replay.content.decode()
    assert replay.status_code == 200 and replay.redirect_chain[-1][0] == reverse(
        "workorders:detail", args=[order.pk]
    )
    assert f"{order.tracking_no} was already saved by the first click; nothing was saved twice." in body
    assert 'class="alert alert-danger' not in body


def test_a_double_click_on_save_draft_saves_one_draft(page_client_for):
    client = page_client_for("agent")
    data = {"phone": "13955556666", "content": "电压低", "channel": "phone_95598", "draft": "1"}
    data["once_token"] = once_token(client)
    client.post(reverse("complaints:intake"), data)
    client.post(reverse("complaints:intake"), data)
    assert WorkOrder.objects.get().status == "intake"


def test_a_failed_submit_keeps_its_token_and_the_corrected_form_goes_through(page_client_for):
    # given: the first submit misses the address
    client = page_client_for("agent")
    token = once_token(client)
    failed = client.post(
        reverse("complaints:intake"), {**FORM, "address": "", "once_token": token, "submit": "1"}
    )
    assert failed.status_code == 400 and f'name="once_token" value="{token}"' in failed.content.decode()
    # when: corrected and sent with the same token
    response = client.post(reverse("complaints:intake"), {**FORM, "once_token": token, "submit": "1"})
    # then
    assert response.status_code == 302 and WorkOrder.objects.count() == 1


def test_a_sent_form_changed_and_sent_again_registers_nothing_new(page_client_for):
    client = page_client_for("agent", "en")
    token = once_token(client)
    client.post(reverse("complaints:intake"), {**FORM, "once_token": token, "submit": "1"})
    # when: back in the browser, the same form with other content
    response = client.post(
        reverse("complaints:intake"), {**FORM, "content": "另一件事", "once_token": token, "submit": "1"}
    )
    # then
    body = response.content.decode()
    assert response.status_code == 400 and WorkOrder.objects.count() == 1
    assert "This form was already sent. Start the next complaint from a new form." in body
    assert f'name="once_token" value="{token}"' not in body  # a new form, a new token


def test_two_forms_register_two_complaints(page_client_for):
    client = page_client_for("agent")
    for phone in ("13955556666", "13955557777"):
        client.post(reverse("complaints:intake"), {**FORM, "phone": phone, "once_token": once_token(client)})
    assert WorkOrder.objects.count() == 2


# --- the order page's action forms ----------------------------------------------------------------


@pytest.fixture
def processing(users, depts):
    build = OrderBuilder(users, depts, intake=PAGE_COMPLAINT)
    order = build.assign(build.classify(build.register()))
    return WorkOrder.objects.get(pk=order.pk)


def act(client, order, code, *, version, htmx=True, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("workorders:act", args=[order.pk, code]), {"version": version, **data}, **headers
    )


@pytest.mark.parametrize("htmx", [True, False])
def test_a_double_click_on_an_action_acts_once_and_shows_the_order(page_client_for, processing, htmx):
    # given
    client = page_client_for("handler2", "en")
    version = processing.version
    act(client, processing, "accept", version=version, htmx=htmx)
    # when: the same form again
    second = act(client, processing, "accept", version=version, htmx=htmx)
    # then
    body = second.content.decode()
    assert second.status_code == 200
    assert WorkOrderEvent.objects.filter(order=processing, action="accept").count() == 1
    assert "Accept was already done; here is the order as it is now." in body
    assert 'class="alert alert-info' in body and "Someone else changed this order" not in body
    assert f'data-version="{version + 1}"' in body


def test_a_double_click_on_add_note_adds_one_note(page_client_for, processing):
    client = page_client_for("agent")
    for _ in range(2):
        act(client, processing, "note", version=processing.version, comment="客户再次来电")
    assert WorkOrderEvent.objects.filter(order=processing, action="note").count() == 1


def test_a_change_by_someone_else_still_warns(page_client_for, processing):
    # given: the dispatcher notes something meanwhile
    version = processing.version
    act(page_client_for("dispatcher"), processing, "note", version=version, comment="派单员备注")
    # when
    response = act(page_client_for("handler2", "en"), processing, "accept", version=version)
    # then
    body = response.content.decode()
    assert "Someone else changed this order while you were looking at it." in body
    assert not WorkOrderEvent.objects.filter(order=processing, action="accept").exists()


def test_action_forms_disable_their_button_while_the_request_runs(page_client_for, processing):
    body = (
        page_client_for("handler2").get(reverse("workorders:detail", args=[processing.pk])).content.decode()
    )
    forms = re.findall(r"<form [^>]*hx-post=\"/orders/[^>]*>", body)
    assert forms and all(
        'hx-disabled-elt="find button[type=submit]"' in f and "data-once" in f for f in forms
    )
