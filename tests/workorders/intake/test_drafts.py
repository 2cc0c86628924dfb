"""Drafts hold a half-finished call: saved with a phone or a name and some content, edited with the
intake form, then submitted (fully validated); the dispatch clock starts at the submit."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from complaints.models import Complaint
from tests.builders import OrderBuilder
from workorders.intake.services import complaint_draft_update, complaint_register
from workorders.models import Deadline, Stage, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")

COMPLETE = {
    "phone": "13955557777",
    "account_no": "",
    "customer_name": "周先生",
    "address": "滨江市城东区人民路8号",
    "channel": "phone_95598",
    "content": "停电三次，没有通知。",
    "demand": "说明停电原因",
    "external_ref": "",
}


def draft_post(client, **fields):
    return client.post(reverse("complaints:intake"), {"channel": "phone_95598", **fields, "draft": "1"})


# --- saving a draft -------------------------------------------------------------------------------


def test_a_draft_is_saved_with_a_phone_and_some_content(page_client_for):
    # when
    response = draft_post(page_client_for("agent"), phone="13955557777", content="停电三次")
    # then
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:detail", args=[order.pk])
    assert order.status == "intake"
    assert order.complaint.address == "" and order.complaint.demand == ""


def test_a_draft_is_saved_with_a_name_and_some_content(page_client_for):
    response = draft_post(page_client_for("agent"), customer_name="周先生", content="停电三次")
    assert response.status_code == 302
    assert WorkOrder.objects.get().complaint.customer_name == "周先生"


def test_a_draft_without_phone_or_name_is_refused_with_a_clear_message(page_client_for):
    # when
    response = draft_post(page_client_for("agent", "en"), content="停电三次")
    # then
    body = response.content.decode()
    assert response.status_code == 400 and not WorkOrder.objects.exists()
    assert "A draft needs the caller&#x27;s phone number or name." in body
    assert 'id="id_phone-err"' in body and 'id="id_customer_name-err"' in body


def test_a_draft_without_content_is_refused_with_a_clear_message(page_client_for):
    response = draft_post(page_client_for("agent", "en"), phone="13955557777", content="  ")
    body = response.content.decode()
    assert response.status_code == 400 and not WorkOrder.objects.exists()
    assert "A draft needs some content: what the caller has said so far." in body
    assert 'id="id_content-err"' in body and 'id="id_phone-err"' not in body


def test_a_submit_still_needs_every_field(page_client_for):
    response = page_client_for("agent").post(
        reverse("complaints:intake"), {"phone": "13955557777", "content": "停电三次", "submit": "1"}
    )
    assert response.status_code == 400 and not WorkOrder.objects.exists()
    assert 'id="id_address-err"' in response.content.decode()


# --- editing and submitting a draft -----------------------------------------------------------------


@pytest.fixture
def draft(users):
    complaint = complaint_register(
        actor=users["agent"],
        channel="phone_95598",
        phone="13955557777",
        address="",
        content="停电三次",
        demand="",
        draft=True,
    )
    return complaint.workorder


def test_the_draft_page_shows_the_intake_form_prefilled(page_client_for, draft):
    # when
    response = page_client_for("agent").get(reverse("complaints:draft", args=[draft.pk]))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert f"编辑草稿 {draft.tracking_no}" in body or f"Edit draft {draft.tracking_no}" in body
    assert 'value="13955557777"' in body and "停电三次</textarea>" in body
    assert f'name="version" value="{draft.version}"' in body and "data-once" in body


def test_the_order_page_of_a_draft_links_to_its_edit_page(page_client_for, draft):
    body = page_client_for("agent").get(reverse("workorders:detail", args=[draft.pk])).content.decode()
    assert reverse("complaints:draft", args=[draft.pk]) in body


def test_saving_an_edited_draft_keeps_it_a_draft_and_records_the_change(page_client_for, draft):
    # when
    response = page_client_for("agent").post(
        reverse("complaints:draft", args=[draft.pk]),
        {
            "phone": "13955557777",
            "channel": "phone_95598",
            "content": "停电三次，没有通知。",
            "address": "滨江市城东区人民路8号",
            "version": draft.version,
            "draft": "1",
        },
    )
    # then
    assert response.status_code == 302
    draft.refresh_from_db()
    complaint = Complaint.objects.get(pk=draft.complaint_id)
    assert draft.status == "intake" and draft.version == 2
    assert complaint.content == "停电三次，没有通知。" and complaint.address == "滨江市城东区人民路8号"
    event = WorkOrderEvent.objects.get(order=draft, action="draft_edited")
    assert event.payload == {"fields": ["address", "content"]}
    assert not Deadline.objects.filter(order=draft).exists()  # no clock while a draft


def test_submitting_an_incomplete_draft_marks_the_missing_fields(page_client_for, draft):
    response = page_client_for("agent").post(
        reverse("complaints:draft", args=[draft.pk]),
        {
            "phone": "13955557777",
            "channel": "phone_95598",
            "content": "停电三次",
            "version": draft.version,
            "submit": "1",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_address-err"' in body and 'id="id_demand-err"' in body
    draft.refresh_from_db()
    assert draft.status == "intake" and draft.version == 1


def test_submitting_a_completed_draft_sends_it_for_classification(page_client_for, draft):
    # when
    response = page_client_for("agent").post(
        reverse("complaints:draft", args=[draft.pk]), {**COMPLETE, "version": draft.version, "submit": "1"}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == "classification"
    assert list(draft.events.order_by("id").values_list("action", flat=True)) == [
        "create",
        "draft_edited",
        "submit",
    ]
    assert draft.customer.name == "周先生"


def test_a_second_post_of_the_draft_form_shows_the_order_as_it_is(page_client_for, draft):
    client = page_client_for("agent", "en")
    body = {**COMPLETE, "version": draft.version, "submit": "1"}
    client.post(reverse("complaints:draft", args=[draft.pk]), body)
    # when: the same form again (a double click)
    response = client.post(reverse("complaints:draft", args=[draft.pk]), body, follow=True)
    # then
    assert response.status_code == 200
    assert WorkOrderEvent.objects.filter(order=draft, action="submit").count() == 1
    assert "is no longer a draft; here it is as it is now." in response.content.decode()


def test_a_stale_draft_form_changes_nothing(users, draft):
    complaint_draft_update(actor=users["agent"], order_id=draft.pk, version=1, content="第一次修改")
    with pytest.raises(Exception) as refused:
        complaint_draft_update(actor=users["agent"], order_id=draft.pk, version=1, content="第二次修改")
    assert refused.value.code == "stale_version"
    assert Complaint.objects.get(pk=draft.complaint_id).content == "第一次修改"


def test_only_agents_edit_drafts(page_client_for, draft):
    assert page_client_for("dispatcher").get(reverse("complaints:draft", args=[draft.pk])).status_code == 403


def test_a_submitted_order_has_no_draft_page(page_client_for, draft, users):
    complaint_draft_update(
        actor=users["agent"],
        order_id=draft.pk,
        version=None,
        submit=True,
        **{k: v for k, v in COMPLETE.items() if k != "external_ref"},
    )
    response = page_client_for("agent").get(reverse("complaints:draft", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "workorders:detail", args=[draft.pk]
    )


# --- the dispatch clock ---------------------------------------------------------------------------


def test_a_drafts_dispatch_clock_starts_when_it_is_submitted(users):
    # given: a draft taken at 09:00
    at_nine = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(at_nine, tick=False):
        order = complaint_register(
            actor=users["agent"],
            channel="phone_95598",
            phone="13955557777",
            address="",
            content="停电",
            demand="",
            draft=True,
        ).workorder
    assert not Deadline.objects.filter(order=order).exists()
    # when: completed and submitted at 11:00
    at_eleven = at_nine + timedelta(hours=2)
    with time_machine.travel(at_eleven, tick=False):
        complaint_draft_update(
            actor=users["agent"],
            order_id=order.pk,
            version=order.version,
            submit=True,
            address="滨江市城东区人民路8号",
            demand="说明停电原因",
        )
    # then: the classification (dispatch) deadline counts from 11:00
    dispatch = Deadline.objects.get(order=order, stage=Stage.DISPATCH)
    assert dispatch.started_at == at_eleven and dispatch.limit_unit == "minutes"
    assert dispatch.due_at == at_eleven + timedelta(minutes=dispatch.limit_value)
    # and classifying it keeps that clock (the other clocks count from the call, 09:00)
    with time_machine.travel(at_eleven + timedelta(minutes=5), tick=False):
        OrderBuilder(users, None).classify(order)
    dispatch.refresh_from_db()
    assert dispatch.started_at == at_eleven and dispatch.met_at is None


def test_a_complaint_submitted_at_once_counts_from_its_receipt(users):
    received = datetime(2026, 11, 24, 8, 30, tzinfo=SHANGHAI)
    with time_machine.travel(received + timedelta(minutes=20), tick=False):
        order = complaint_register(
            actor=users["agent"],
            received_at=received,
            **{k: v for k, v in COMPLETE.items() if k != "external_ref"},
        ).workorder
    assert Deadline.objects.get(order=order, stage=Stage.DISPATCH).started_at == received


# --- the next call --------------------------------------------------------------------------------


def test_after_an_urge_from_intake_one_button_clears_the_form_for_the_next_call(
    page_client_for, users, depts
):
    # given: the caller's open order
    order = OrderBuilder(users, depts).register()
    client = page_client_for("agent", "en")
    # when
    response = client.post(reverse("complaints:urge", args=[order.pk]), {"version": order.version})
    # then
    body = response.content.decode()
    assert 'data-testid="urged-next-call"' in body and "data-autofocus" in body
    assert f'href="{reverse("complaints:intake")}"' in body and "Alt+N" in body


def test_the_intake_page_offers_the_next_call_with_its_shortcut(page_client_for):
    body = page_client_for("agent", "en").get(reverse("complaints:intake")).content.decode()
    assert 'data-testid="next-call"' in body and "Clear the form for the next call (Alt+N)" in body
