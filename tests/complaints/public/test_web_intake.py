"""Web intake, public (issue 15, item 4): ``/complain/`` files a complaint with the channel
``web_95598`` through the staff intake service, once per form (a double submit files one), behind a
signed arithmetic question and limits per address and per phone; a refused form keeps what the
customer typed."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaints.models import Category, Complaint, PublicRequest
from complaints.public.challenge import challenge_read
from complaints.public.services import web_intake_user
from notifications.models import Delivery
from workorders.models import Attachment, WorkOrderEvent

URL = "/complain/"
GENEROUS = {"public_complain": "1000/hour", "public_complain_phone": "1000/day"}


@pytest.fixture(autouse=True)
def _rates(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **GENEROUS}


def page(language="zh-hans"):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    return client


def open_form(client):
    """GET the form → (its token, the right answer, the CSRF token)."""
    html = client.get(URL).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    challenge = challenge_read(token)
    return token, challenge.answer, client.cookies["csrftoken"].value


def body(**overrides):
    data = {
        "customer_name": "李女士",
        "phone": "13700001234",
        "account_no": "",
        "address": "滨江市城西区和平路8号",
        "category": Category.objects.get(code="0401").pk,
        "content": "最近一周每晚电压偏低，灯光闪烁。",
        "demand": "请尽快检查线路",
    }
    data.update(overrides)
    return data


def send(client, data, *, token, answer, csrf, address="10.1.0.1", files=None):
    payload = {**data, "form_token": token, "challenge_answer": str(answer), "csrfmiddlewaretoken": csrf}
    if files:
        payload["attachments"] = files
    return client.post(URL, payload, REMOTE_ADDR=address)


def file_once(client=None, **overrides):
    client = client or page()
    token, answer, csrf = open_form(client)
    return send(client, body(**overrides), token=token, answer=answer, csrf=csrf)


def tracking_no_in(response) -> str:
    return re.search(r'data-testid="complain-tracking-no">(\d+)<', response.content.decode()).group(1)


@pytest.mark.django_db
def test_a_web_complaint_starts_in_classification_with_channel_web_95598(org):
    # when a customer files the form
    response = file_once()
    # then the page shows the tracking number and how to follow it
    assert response.status_code == 200
    html = response.content.decode()
    number = tracking_no_in(response)
    assert 'href="/track/"' in html
    # and the complaint went through the intake service like a phone complaint
    complaint = Complaint.objects.select_related("workorder").get(tracking_no=number)
    assert complaint.channel == "web_95598" and complaint.workorder.channel == "web_95598"
    assert complaint.workorder.status == "classification"
    assert complaint.created_by == web_intake_user() and not complaint.created_by.is_active
    assert complaint.phone == "13700001234" and complaint.customer.phone == "13700001234"
    assert not complaint.sms_opt_out
    assert complaint.language == "zh-hans"  # the page's language: the customer's SMS follow it
    # the level-2 choice is left for the dispatcher to classify, and noted on the timeline
    assert complaint.category is None
    events = list(complaint.workorder.events.values_list("action", flat=True))
    assert events == ["create", "submit", "note"]
    note = complaint.workorder.events.get(action="note")
    assert "0401" in note.payload["comment"]
    log = PublicRequest.objects.get(kind="complain")
    assert (log.outcome, log.tracking_no, log.phone_suffix, log.order_id) == (
        "created",
        number,
        "1234",
        complaint.workorder.pk,
    )


def customer_sms(complaint) -> list[str]:
    """The event types of the customer's SMS queued for the complaint's order."""
    rows = Delivery.objects.filter(channel="sms", user__isnull=True, message__order=complaint.workorder)
    return list(rows.values_list("message__event_type", flat=True))


@pytest.mark.django_db
def test_a_web_complaint_is_acknowledged_by_sms_unless_the_customer_asks_for_none(org):
    # given one customer who wants SMS and one who does not
    acknowledged = Complaint.objects.get(tracking_no=tracking_no_in(file_once()))
    quiet = Complaint.objects.get(
        tracking_no=tracking_no_in(file_once(phone="13700005555", sms_opt_out="on"))
    )
    # then the first gets the acknowledgement, the second nothing
    assert customer_sms(acknowledged) == ["customer_ack"]
    assert quiet.sms_opt_out and customer_sms(quiet) == []


@pytest.mark.django_db
def test_a_double_submit_files_one_complaint_and_shows_the_same_number(org):
    # given one form, sent twice (a double click, a reload that re-posts)
    client = page()
    token, answer, csrf = open_form(client)
    first = send(client, body(), token=token, answer=answer, csrf=csrf)
    second = send(client, body(), token=token, answer=answer, csrf=csrf)
    # then one complaint, and both answers show its number
    assert Complaint.objects.filter(channel="web_95598").count() == 1
    assert tracking_no_in(first) == tracking_no_in(second)
    assert list(PublicRequest.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "created",
        "replayed",
    ]


@pytest.mark.django_db
def test_a_double_submit_is_not_counted_against_the_limits(org, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_complain": "1/hour"}
    client = page()
    token, answer, csrf = open_form(client)
    for _ in range(3):
        assert send(client, body(), token=token, answer=answer, csrf=csrf).status_code == 200
    assert Complaint.objects.filter(channel="web_95598").count() == 1


@pytest.mark.django_db
def test_the_same_form_sent_with_other_contents_files_nothing_more(org):
    client = page()
    token, answer, csrf = open_form(client)
    send(client, body(), token=token, answer=answer, csrf=csrf)
    again = send(client, body(content="另一件事"), token=token, answer=answer, csrf=csrf)
    assert again.status_code == 400 and 'data-testid="complain-error"' in again.content.decode()
    assert Complaint.objects.filter(channel="web_95598").count() == 1


@pytest.mark.django_db
def test_a_wrong_answer_keeps_the_form_and_asks_a_new_sum(org):
    # given a form answered wrongly
    client = page("en")
    token, answer, csrf = open_form(client)
    response = send(client, body(), token=token, answer=answer + 1, csrf=csrf)
    # then nothing is filed, and the form comes back with what was typed and a new question
    assert response.status_code == 400
    assert not Complaint.objects.filter(channel="web_95598").exists()
    html = response.content.decode()
    assert 'value="李女士"' in html and "最近一周每晚电压偏低" in html and 'value="13700001234"' in html
    assert "not the right answer" in html
    assert PublicRequest.objects.get(kind="complain").outcome == "wrong_answer"
    new_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    assert new_token != token
    # and the new question files it
    retry = send(client, body(), token=new_token, answer=challenge_read(new_token).answer, csrf=csrf)
    assert retry.status_code == 200 and tracking_no_in(retry)


@pytest.mark.django_db
def test_a_tampered_or_expired_form_is_refused_and_kept(org, settings):
    client = page("en")
    token, answer, csrf = open_form(client)
    tampered = send(client, body(), token=token[:-2] + "xx", answer=answer, csrf=csrf)
    assert tampered.status_code == 400 and "could not be read" in tampered.content.decode()
    settings.PUBLIC_COMPLAIN_FORM_MAX_AGE = -1
    expired = send(client, body(), token=token, answer=answer, csrf=csrf)
    assert expired.status_code == 400 and "open too long" in expired.content.decode()
    assert 'value="李女士"' in expired.content.decode()
    assert not Complaint.objects.filter(channel="web_95598").exists()


@pytest.mark.django_db
def test_field_errors_are_in_plain_words_and_keep_the_rest(org):
    client = page("en")
    token, answer, csrf = open_form(client)
    response = send(client, body(phone="12345", content=""), token=token, answer=answer, csrf=csrf)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Describe what happened." in html and "11-digit mobile number" in html
    assert 'value="滨江市城西区和平路8号"' in html and "请尽快检查线路" in html
    assert not Complaint.objects.filter(channel="web_95598").exists()


@pytest.mark.django_db
def test_a_complaint_filed_in_english_is_answered_in_english(org):
    number = tracking_no_in(file_once(page("en")))
    assert Complaint.objects.get(tracking_no=number).language == "en"


def test_a_level_3_category_is_not_offered_and_refused(org):
    response = file_once(page("en"), category=Category.objects.get(code="040101").pk)
    assert response.status_code == 400 and "Choose what your complaint is about" in response.content.decode()


@pytest.mark.django_db
def test_attachments_are_stored_like_staff_attachments(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = page()
    token, answer, csrf = open_form(client)
    photo = SimpleUploadedFile("meter.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    response = send(client, body(), token=token, answer=answer, csrf=csrf, files=[photo])
    complaint = Complaint.objects.get(tracking_no=tracking_no_in(response))
    attachment = Attachment.objects.get(order=complaint.workorder)
    assert attachment.original_name == "meter.png" and attachment.uploaded_by == web_intake_user()
    event = WorkOrderEvent.objects.get(order=complaint.workorder, action="attach")
    assert event.payload["attachment"] == attachment.pk and event.actor == web_intake_user()


@pytest.mark.django_db
def test_attachments_of_a_refused_type_or_too_many_are_refused(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PUBLIC_COMPLAIN_MAX_FILES = 2
    client = page("en")
    token, answer, csrf = open_form(client)
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    refused = send(client, body(), token=token, answer=answer, csrf=csrf, files=[script])
    assert refused.status_code == 400 and "files of type .exe are not accepted" in refused.content.decode()
    token, answer, _csrf = open_form(client)
    many = [SimpleUploadedFile(f"p{i}.jpg", b"x", content_type="image/jpeg") for i in range(3)]
    too_many = send(client, body(), token=token, answer=answer, csrf=csrf, files=many)
    assert too_many.status_code == 400 and "at most 2 files" in too_many.content.decode()
    settings.ATTACHMENT_MAX_BYTES = 10
    token, answer, _csrf = open_form(client)
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 20, content_type="application/pdf")
    too_big = send(client, body(), token=token, answer=answer, csrf=csrf, files=[big])
    assert too_big.status_code == 400 and "is too large" in too_big.content.decode()
    assert not Complaint.objects.filter(channel="web_95598").exists()


@pytest.mark.django_db
def test_filings_are_throttled_per_address(org, settings):
    # given an address allowed 2 filings an hour
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_complain": "2/hour"}
    client = page("en")
    assert file_once(client, phone="13700000001").status_code == 200
    assert file_once(client, phone="13700000002").status_code == 200
    # when it sends a third
    response = file_once(client, phone="13700000003")
    # then a page says when to try again, and nothing is filed
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert 'data-testid="complain-throttled"' in response.content.decode()
    assert Complaint.objects.filter(channel="web_95598").count() == 2
    assert PublicRequest.objects.filter(kind="complain", outcome="throttled").count() == 1


@pytest.mark.django_db
def test_refused_sends_count_against_the_address_limit(org, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_complain": "2/hour"}
    client = page("en")
    token, answer, csrf = open_form(client)
    assert send(client, body(), token=token, answer=answer + 1, csrf=csrf).status_code == 400
    assert file_once(client).status_code == 200
    assert file_once(client, phone="13700000003").status_code == 429


@pytest.mark.django_db
def test_filings_are_throttled_per_phone(org, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_complain_phone": "1/day"}
    assert file_once(page()).status_code == 200
    other_address = page()
    token, answer, csrf = open_form(other_address)
    response = send(
        other_address, body(phone="137-0000-1234"), token=token, answer=answer, csrf=csrf, address="10.7.7.7"
    )
    assert response.status_code == 429
    assert file_once(page(), phone="13700009999").status_code == 200  # another phone still may


@pytest.mark.django_db
def test_the_form_needs_csrf_and_no_session(org):
    client = Client(enforce_csrf_checks=True)
    token, answer, _csrf = open_form(client)
    refused = client.post(URL, {**body(), "form_token": token, "challenge_answer": answer})
    assert refused.status_code == 403
    assert "sessionid" not in client.cookies


@pytest.mark.django_db
def test_the_page_in_english_and_chinese(org):
    english = page("en").get(URL).content.decode()
    assert "File a complaint" in english and "How much is" in english and 'lang="en"' in english
    chinese = page().get(URL).content.decode()
    assert 'lang="zh-hans"' in chinese and "营业投诉" in chinese  # the category names, in Chinese
    assert "Business" in english
