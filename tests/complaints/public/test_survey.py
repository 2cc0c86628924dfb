"""The satisfaction survey by SMS (issue 15, item 3): ``/survey/<token>/`` records the order's callback
once, through the lifecycle (channel ``sms_survey``), with the callback's rules; a used, expired,
tampered or unknown link is refused with one clear page; special/major orders keep the phone callback."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from complaints.models import PublicRequest
from config.errors import DomainError
from notifications.customer import survey_token
from notifications.models import Notification, SurveyLink
from tests.builders import OrderBuilder
from workorders.lifecycle import perform
from workorders.models import Deadline, WorkOrder

pytestmark = pytest.mark.django_db

CUSTOMER = {
    "customer_name": "李女士",
    "phone": "13800005678",
    "account_no": "",
    "address": "滨江市城西区和平路8号",
}


@pytest.fixture
def builder(users, depts):
    return OrderBuilder(users, depts, intake=CUSTOMER)


@pytest.fixture
def client():
    """A customer's phone browser: no session, CSRF checked as in production."""
    return Client(enforce_csrf_checks=True)


def url_of(order) -> str:
    link = SurveyLink.objects.get(order=order, used_at__isnull=True)
    return f"/survey/{survey_token(link)}/"


def answer(client, url, **fields):
    """Open the page (as the SMS link does), then send the form with its CSRF token."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(url, {"csrfmiddlewaretoken": token, "comment": "", **fields})


def outcomes(order=None):
    qs = PublicRequest.objects.filter(kind="survey").order_by("pk")
    if order is not None:
        qs = qs.filter(order=order)
    return list(qs.values_list("outcome", flat=True))


def test_an_answer_is_recorded_as_the_callback_once(builder, client):
    # given: an approved order of a survey level (general), its link sent by SMS
    order = builder.order("callback", level="general")
    url = url_of(order)
    # when: the customer answers
    done = answer(client, url, satisfaction="satisfied", comment="处理及时，谢谢")
    # then: the order's callback, recorded by the system on the customer's behalf
    assert done.status_code == 200 and b'data-testid="survey-thanks"' in done.content
    order.refresh_from_db()
    assert order.status == "closed" and order.satisfaction == "satisfied" and order.outcome == "resolved"
    event = order.events.get(action="callback")
    assert event.actor_id is None
    assert event.payload["channel"] == "sms_survey" and event.payload["source"] == "customer_survey"
    assert event.payload["satisfaction"] == "satisfied" and event.payload["comment"] == "处理及时，谢谢"
    # when: the link is used a second time (opened, or the form sent again)
    again = client.get(url)
    csrf = client.cookies["csrftoken"].value
    resent = client.post(
        url, {"csrfmiddlewaretoken": csrf, "satisfaction": "unsatisfied", "reason": "attitude"}
    )
    # then: refused with the one clear page, nothing changes
    assert again.status_code == 410 and b'data-code="used"' in again.content
    assert resent.status_code == 410 and b'data-code="used"' in resent.content
    assert order.events.filter(action="callback").count() == 1
    order.refresh_from_db()
    assert order.satisfaction == "satisfied"
    # every answer of the page is logged
    assert outcomes(order) == ["shown", "recorded", "used", "used"]


def test_a_second_post_of_the_form_is_refused(builder):
    order = builder.order("callback")
    url = url_of(order)
    client = Client()  # CSRF aside: the one-time rule alone
    first = client.post(url, {"satisfaction": "basically_satisfied"})
    second = client.post(url, {"satisfaction": "unsatisfied", "reason": "attitude"})
    assert first.status_code == 200
    assert second.status_code == 410 and b'data-code="used"' in second.content
    order.refresh_from_db()
    assert order.satisfaction == "basically_satisfied" and order.status == "closed"
    assert order.events.filter(action="callback").count() == 1
    link = SurveyLink.objects.get(order=order)
    assert link.used_at is not None and link.recorded_as == "callback"


def test_an_unsatisfied_answer_reopens_the_order(builder, client):
    order = builder.order("callback")
    done = answer(
        client, url_of(order), satisfaction="unsatisfied", reason="process_not_done", comment="电压仍然偏低"
    )
    assert done.status_code == 200
    order.refresh_from_db()
    assert order.status == "processing" and order.reopen_count == 1
    assert order.satisfaction == "unsatisfied" and order.dissatisfaction_reason == "process_not_done"
    [event] = order.events.filter(action="callback")
    assert event.payload["channel"] == "sms_survey" and event.to_status == "processing"


def test_a_policy_dispute_goes_to_the_supervisor(builder, client):
    order = builder.order("callback")
    answer(client, url_of(order), satisfaction="unsatisfied", reason="result_not_accepted_policy")
    order.refresh_from_db()
    assert order.status == "callback" and order.needs_supervisor_decision


def test_unsatisfied_needs_a_reason(builder, client):
    order = builder.order("callback")
    url = url_of(order)
    page = answer(client, url, satisfaction="unsatisfied")
    assert page.status_code == 400 and b'data-testid="survey-form"' in page.content
    order.refresh_from_db()
    assert order.status == "callback" and not order.events.filter(action="callback").exists()
    assert SurveyLink.objects.get(order=order).used_at is None
    assert outcomes(order)[-1] == "invalid_input"


def test_the_link_expires_with_the_callback_window(builder, client):
    order = builder.order("callback")
    url = url_of(order)
    due = Deadline.objects.filter(order=order, stage="callback").latest("started_at").due_at
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        page = client.get(url)
        sent = Client().post(url, {"satisfaction": "satisfied"})
    assert page.status_code == 410 and b'data-code="expired"' in page.content
    assert sent.status_code == 410
    order.refresh_from_db()
    assert order.status == "callback"
    # just before the end it still works
    with time_machine.travel(due - timedelta(minutes=1), tick=False):
        assert Client().post(url, {"satisfaction": "satisfied"}).status_code == 200


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature changed
        lambda t: "9" + t,  # another link id, same signature
        lambda t: "nonsense",
    ],
    ids=["signature", "id", "garbage"],
)
def test_a_tampered_or_unknown_token_is_refused(builder, client, mangle):
    order = builder.order("callback")
    link = SurveyLink.objects.get(order=order)
    url = f"/survey/{mangle(survey_token(link))}/"
    page = client.get(url)
    sent = Client().post(url, {"satisfaction": "satisfied"})
    assert page.status_code == 404 and b'data-code="invalid"' in page.content
    assert sent.status_code == 404
    order.refresh_from_db()
    assert order.status == "callback"
    assert "Traceback" not in page.content.decode()


def test_a_signed_token_of_a_link_that_does_not_exist_is_refused(builder, client):
    order = builder.order("callback")
    link = SurveyLink.objects.get(order=order)
    link.pk += 1000
    assert client.get(f"/survey/{survey_token(link)}/").status_code == 404


def test_the_link_closes_once_the_agent_has_called_back(builder, client):
    order = builder.order("callback")
    url = url_of(order)
    builder.callback(order)
    page = client.get(url)
    assert page.status_code == 410 and b'data-code="closed"' in page.content


def test_special_and_major_orders_keep_the_phone_callback(builder, client, settings, users):
    settings.SURVEY_SMS_LEVELS = ["all"]
    order = builder.order("callback", level="special")
    # when: the customer answers the survey
    done = answer(client, url_of(order), satisfaction="unsatisfied", reason="attitude", comment="态度不好")
    # then: recorded beside the order, which still waits for the agent's phone callback
    assert done.status_code == 200
    order.refresh_from_db()
    assert order.status == "callback" and order.satisfaction == "" and order.reopen_count == 0
    assert not order.events.filter(action="callback").exists()
    event = order.events.get(action="survey_answered")
    assert event.actor_id is None and event.payload["channel"] == "sms_survey"
    assert event.payload["satisfaction"] == "unsatisfied" and event.payload["phone_callback_required"] is True
    assert SurveyLink.objects.get(order=order).recorded_as == "survey_answered"
    # an unsatisfied answer tells the supervisors, as an unsatisfied callback does
    told = Notification.objects.filter(event_type="callback_unsatisfied", order=order)
    assert told.filter(user=users["supervisor"]).exists()
    # and the agent's callback still decides
    closed = builder.callback(order)
    assert closed.status == "closed" and closed.satisfaction == "satisfied"


def test_only_the_survey_may_record_a_survey_callback(builder, users):
    order = builder.order("callback")
    data = {"reached": True, "satisfaction": "satisfied", "comment": ""}
    with pytest.raises(DomainError) as refused:
        perform(order.pk, "callback", actor=users["agent"], via="sms_survey", data=data)
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError) as other:
        perform(order.pk, "note", actor=None, via="sms_survey", data={"comment": "x"})
    assert other.value.code == "permission_denied"
    assert WorkOrder.objects.get(pk=order.pk).status == "callback"


def test_the_page_is_throttled_per_address(builder, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_survey": "2/min"}
    order = builder.order("callback")
    url = url_of(order)
    client = Client()
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    third = client.get(url)
    assert third.status_code == 429 and int(third["Retry-After"]) >= 1
    assert b'data-testid="survey-throttled"' in third.content
    assert outcomes()[-1] == "throttled"


def test_the_page_speaks_english_too(builder):
    order = builder.order("callback")
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get(url_of(order)).content.decode()
    assert "Satisfaction survey" in page and "Basically satisfied" in page
    assert order.tracking_no in page
    # no personal data on the page
    assert CUSTOMER["phone"] not in page and "和平路" not in page and CUSTOMER["customer_name"] not in page
