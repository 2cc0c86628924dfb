"""SMS to the customer (issue 15, item 1): the acknowledgement with the tracking number, the reply and
closing notices, none for an anonymous or opted-out complaint, through the real outbox and the HTTP
SMS gateway backend (to the local fake gateway of ``servers.py``)."""

import re

import pytest

from complaints.models import Complaint
from notifications import tasks
from notifications.models import Delivery, Message, NotificationTemplate, SurveyLink
from tests.builders import OrderBuilder, intake_body
from workorders.intake.services import complaint_draft_update

from .conftest import CUSTOMER
from .servers import webhook_sink

pytestmark = pytest.mark.django_db

PHONE = CUSTOMER["phone"]


@pytest.fixture
def builder(users, depts):
    return OrderBuilder(users, depts, intake=CUSTOMER)


@pytest.fixture
def gateway(settings):
    """The production SMS backend (HTTP), pointed at a local fake gateway that records each SMS."""
    with webhook_sink() as sink:
        settings.SMS_BACKEND = "notifications.channels.HttpSmsBackend"
        settings.SMS_GATEWAY_URL = sink.url
        yield sink


def customer_sms(order=None):
    """The customer's SMS outbox rows (no user: staff SMS have one), oldest first."""
    qs = Delivery.objects.filter(channel="sms", user__isnull=True).select_related("message")
    if order is not None:
        qs = qs.filter(message__order=order)
    return list(qs.order_by("pk"))


def test_the_acknowledgement_goes_out_once_with_the_tracking_number(
    builder, gateway, published, django_capture_on_commit_callbacks
):
    # when: a complaint is taken in (and so submitted)
    with django_capture_on_commit_callbacks(execute=True):
        order = builder.register()
    # then: one SMS row for the customer, queued after commit
    [row] = customer_sms(order)
    assert row.message.event_type == "customer_ack" and row.address == PHONE
    assert any(row.pk in ids for ids, _options in published)
    # when: the worker delivers it, and a retried task runs again
    first = tasks.deliver([row.pk])
    again = tasks.deliver([row.pk])
    # then: the gateway got it once, with the tracking number and how to ask
    assert first["sent"] == 1 and again["claimed"] == 0
    [sms] = gateway.json()
    assert sms["phone"] == PHONE
    assert order.tracking_no in sms["text"]
    assert "http://127.0.0.1:8000/track/" in sms["text"] and "95598" in sms["text"]
    # never the address nor a name
    assert CUSTOMER["address"] not in sms["text"] and "幸福路" not in sms["text"]
    row.refresh_from_db()
    assert row.state == "sent"


def test_the_hook_running_again_writes_no_second_acknowledgement(builder):
    from notifications.services import notify_events

    order = builder.register()
    submit = order.events.get(action="submit")
    # when: the hook sees the same submit again (a retried transition hook, a replay)
    notify_events([(order, submit)])
    # then
    assert len(customer_sms(order)) == 1
    assert Message.objects.filter(dedupe_key=f"cust:ack:{order.pk}").count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"is_anonymous": True},
        {"sms_opt_out": True},
        {"phone": "057187654321"},  # a landline cannot take an SMS
    ],
    ids=["anonymous", "opted_out", "landline"],
)
def test_no_sms_for_an_anonymous_or_opted_out_complaint(builder, fields):
    order = builder.order("callback", **fields)
    builder.callback(order)
    assert customer_sms(order) == []


def test_customer_sms_switched_off(builder, settings):
    settings.CUSTOMER_SMS = False
    order = builder.order("callback")
    builder.callback(order)
    assert customer_sms(order) == []
    assert not SurveyLink.objects.filter(order=order).exists()


def test_a_draft_is_acknowledged_when_it_is_submitted_and_keeps_the_opt_out(builder, users):
    # given: a draft (nothing sent yet)
    draft = builder.register(draft=True)
    assert customer_sms(draft) == []
    # when: submitted
    complaint_draft_update(actor=users["agent"], order_id=draft.pk, version=draft.version, submit=True)
    # then
    [row] = customer_sms(draft)
    assert row.message.event_type == "customer_ack" and draft.tracking_no in row.body

    # and a draft saved with the opt-out keeps it when submitted: no SMS
    quiet = builder.register(draft=True, sms_opt_out=True)
    quiet = complaint_draft_update(
        actor=users["agent"], order_id=quiet.pk, version=quiet.version, submit=True
    )
    assert Complaint.objects.get(workorder=quiet).sms_opt_out is True
    assert customer_sms(quiet) == []


def test_the_reply_and_closing_notices(builder, users, settings, gateway):
    settings.SURVEY_SMS_LEVELS = ["none"]  # the plain reply notice, no survey link
    # when: the reply is approved, then the agent's callback closes the order
    order = builder.order("callback")
    builder.callback(order)
    rows = customer_sms(order)
    # then: acknowledgement, reply notice, closing notice, in that order
    assert [r.message.event_type for r in rows] == ["customer_ack", "customer_reply", "customer_closed"]
    reply, closed = rows[1].body, rows[2].body
    assert order.tracking_no in reply and "/track/" in reply and "/survey/" not in reply
    assert order.tracking_no in closed and "办结" in closed
    # no staff name, no address in any of them
    staff = [u.get_full_name() or u.username for u in users.values()]
    for row in rows:
        assert not any(name and name in row.body for name in staff), row.body
        assert "幸福路" not in row.body
    # delivered through the gateway, each once
    tasks.deliver([r.pk for r in rows])
    tasks.deliver([r.pk for r in rows])
    assert sorted(sms["text"] for sms in gateway.json()) == sorted(r.body for r in rows)


def test_a_merged_duplicate_gets_no_closing_notice(builder, users):
    first = builder.register()
    second = builder.register(content="同一问题再次来电")
    builder.do(second, "merge", "dispatcher", into=first.pk)
    assert [r.message.event_type for r in customer_sms(second)] == ["customer_ack"]


def test_an_approval_of_a_survey_level_sends_the_survey_link(builder):
    order = builder.order("callback", level="general")
    [ack, survey] = customer_sms(order)
    assert survey.message.event_type == "customer_survey"
    link = SurveyLink.objects.get(order=order)
    assert link.used_at is None and link.approved_at == order.approved_at
    match = re.search(r"http://127\.0\.0\.1:8000/survey/([^/\s]+)/", survey.body)
    assert match, survey.body
    from notifications.customer import survey_link_for_token

    assert survey_link_for_token(match.group(1)) == link


@pytest.mark.parametrize("levels", [["important"], ["none"], []])
def test_orders_of_other_levels_get_no_survey_link(builder, settings, levels):
    settings.SURVEY_SMS_LEVELS = levels
    order = builder.order("callback", level="general")
    assert [r.message.event_type for r in customer_sms(order)] == ["customer_ack", "customer_reply"]
    assert not SurveyLink.objects.filter(order=order).exists()


def test_all_levels_get_a_survey_link_when_the_setting_says_all(builder, settings):
    settings.SURVEY_SMS_LEVELS = ["all"]
    order = builder.order("callback", level="special")
    assert SurveyLink.objects.filter(order=order).count() == 1


def test_the_texts_are_templates_an_administrator_edits(builder):
    from notifications import rendering

    NotificationTemplate.objects.filter(event_type="customer_ack", channel="sms", language="zh-hans").update(
        body="已收到您的投诉，单号{{ tracking_no }}，咨询请拨{{ hotline }}。"
    )
    rendering.clear_cache()
    order = builder.register()
    [row] = customer_sms(order)
    assert row.body == f"已收到您的投诉，单号{order.tracking_no}，咨询请拨95598。"


def test_a_template_cannot_reach_staff_or_the_address(builder):
    """The customer's context holds only what the customer may read: a template that asks for the
    order's department, assignee or the complaint's address renders nothing for them."""
    from notifications import rendering

    NotificationTemplate.objects.filter(event_type="customer_ack", channel="sms", language="zh-hans").update(
        body="{{ order.tracking_no }}|{{ order.department }}|{{ order.complaint.address }}|{{ actor }}"
    )
    rendering.clear_cache()
    order = builder.register()
    [row] = customer_sms(order)
    assert row.body == f"{order.tracking_no}|||"


def test_the_intake_api_takes_the_opt_out(api_client_for):
    client = api_client_for("agent")
    # when
    answer = client.post("/api/v1/complaints/", intake_body(sms_opt_out=True), format="json")
    default = client.post("/api/v1/complaints/", intake_body(), format="json")
    # then
    assert answer.status_code == 201 and answer.json()["sms_opt_out"] is True
    assert default.status_code == 201 and default.json()["sms_opt_out"] is False
    opted = Complaint.objects.get(pk=answer.json()["id"])
    assert opted.sms_opt_out is True
    assert customer_sms(opted.workorder) == []
    assert len(customer_sms(Complaint.objects.get(pk=default.json()["id"]).workorder)) == 1


def test_the_intake_page_offers_the_opt_out(page_client_for):
    page = page_client_for("agent").get("/intake/")
    assert page.status_code == 200
    assert 'name="sms_opt_out"' in page.content.decode()


def test_the_admin_lists_survey_links_and_edits_the_customer_templates(builder, admin_client):
    order = builder.order("callback")
    link = SurveyLink.objects.get(order=order)
    listing = admin_client.get("/admin/notifications/surveylink/")
    assert listing.status_code == 200 and order.tracking_no in listing.content.decode()
    assert admin_client.get(f"/admin/notifications/surveylink/{link.pk}/change/").status_code == 200
    template = NotificationTemplate.objects.get(event_type="customer_ack", channel="sms", language="en")
    assert (
        admin_client.get(f"/admin/notifications/notificationtemplate/{template.pk}/change/").status_code
        == 200
    )


def test_the_customer_is_texted_in_the_language_recorded_at_intake(api_client_for, gateway):
    client = api_client_for("agent")
    english = client.post("/api/v1/complaints/", intake_body(language="en"), format="json")
    chinese = client.post("/api/v1/complaints/", intake_body(phone="13900000777"), format="json")
    assert english.status_code == 201 and english.json()["language"] == "en"
    texts = {}
    for answer in (english, chinese):
        complaint = Complaint.objects.get(pk=answer.json()["id"])
        [row] = customer_sms(complaint.workorder)
        tasks.deliver([row.pk])
        texts[answer.json()["tracking_no"]] = gateway.json()[-1]["text"]
    english_text, chinese_text = texts[english.json()["tracking_no"]], texts[chinese.json()["tracking_no"]]
    assert re.search(r"[\u4e00-\u9fff]", chinese_text)
    assert not re.search(r"[\u4e00-\u9fff]", english_text) and "complaint" in english_text.lower()
