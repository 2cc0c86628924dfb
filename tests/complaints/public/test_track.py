"""The public progress lookup (issue 15, item 2): ``GET /api/v1/public/track/`` and the ``/track/``
page. A wrong pair reads exactly like a missing order, lookups are throttled per address and per
tracking number (the real cache), the reply shows only once approved, and the answer never names
staff, the phone or the address."""

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from complaints.models import PublicRequest
from complaints.public.selectors import Stage
from workorders.models import WorkOrder

API = "/api/v1/public/track/"
PHONE = "13912345678"


def zh(label) -> str:
    """A label as the Chinese pages and API say it (the default language)."""
    with translation.override("zh-hans"):
        return str(label)


GENEROUS = {"public_track": "1000/min", "public_track_number": "1000/hour"}


@pytest.fixture(autouse=True)
def _rates(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **GENEROUS}


def lookup(tracking_no, last4, *, language=None, address="10.0.0.1"):
    client = APIClient()
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.get(API, {"tracking_no": tracking_no, "phone_last4": last4}, REMOTE_ADDR=address, **headers)


@pytest.mark.django_db
def test_the_right_pair_answers_the_stage_and_dates(build):
    # given an order just received
    order = build.register(phone=PHONE)
    # when its customer looks it up
    response = lookup(order.tracking_no, "5678")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["tracking_no"] == order.tracking_no
    assert body["stage"] == "received" and body["stage_label"] == zh(Stage.RECEIVED.label)
    assert body["received_at"] and body["dispatched_at"] is None and body["reply"] is None
    row = PublicRequest.objects.get(kind="track")
    assert (row.outcome, row.tracking_no, row.phone_suffix, row.order_id) == (
        "found",
        order.tracking_no,
        "5678",
        order.pk,
    )


@pytest.mark.django_db
def test_a_wrong_phone_suffix_is_indistinguishable_from_a_missing_order(build):
    # given an order
    order = build.register(phone=PHONE)
    missing = str(int(order.tracking_no) + 1000)
    # when someone tries a wrong suffix, and a number nobody has
    wrong = lookup(order.tracking_no, "0000")
    absent = lookup(missing, "5678")
    # then both answer the same 404 body, byte for byte
    assert wrong.status_code == absent.status_code == 404
    assert wrong.content == absent.content
    assert wrong.json()["code"] == "not_found" and wrong.json()["detail"]
    assert wrong.get("Content-Type") == absent.get("Content-Type")
    outcomes = list(PublicRequest.objects.order_by("pk").values_list("outcome", "tracking_no"))
    assert outcomes == [("not_found", order.tracking_no), ("not_found", missing)]


@pytest.mark.django_db
def test_a_draft_is_not_found(build):
    draft = build.register(draft=True, phone=PHONE)
    assert draft.status == "intake"
    assert lookup(draft.tracking_no, "5678").status_code == 404


@pytest.mark.django_db
def test_failed_tries_of_one_number_lock_it_even_for_the_right_pair(build, settings):
    # given a tracking number allowed 3 failed tries an hour, from any address
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_track_number": "3/hour"}
    order = build.register(phone=PHONE)
    # when three wrong suffixes are tried from three addresses
    for i, guess in enumerate(["1111", "2222", "3333"]):
        assert lookup(order.tracking_no, guess, address=f"10.0.1.{i}").status_code == 404
    # then the number answers 429 to anyone, the right pair too, with Retry-After
    locked = lookup(order.tracking_no, "5678", address="10.0.2.1")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled" and int(locked["Retry-After"]) > 0
    assert PublicRequest.objects.filter(outcome="throttled", tracking_no=order.tracking_no).count() == 1
    # and another number is not affected
    other = build.register(phone=PHONE)
    assert lookup(other.tracking_no, "5678", address="10.0.2.1").status_code == 200


@pytest.mark.django_db
def test_successful_lookups_do_not_lock_the_number(build, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_track_number": "2/hour"}
    order = build.register(phone=PHONE)
    for _ in range(4):
        assert lookup(order.tracking_no, "5678").status_code == 200


@pytest.mark.django_db
def test_lookups_are_throttled_per_address(build, settings):
    # given an address allowed 3 lookups a minute
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_track": "3/min"}
    order = build.register(phone=PHONE)
    # when it looks up 3 times (found or not)
    assert lookup(order.tracking_no, "5678").status_code == 200
    assert lookup(order.tracking_no, "9999").status_code == 404
    assert lookup(order.tracking_no, "5678").status_code == 200
    # then the fourth is refused, and another address still gets its answer
    assert lookup(order.tracking_no, "5678").status_code == 429
    assert lookup(order.tracking_no, "5678", address="10.9.9.9").status_code == 200


@pytest.mark.django_db
def test_a_forwarded_for_header_does_not_escape_the_address_limit(build, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_track": "2/min"}
    order = build.register(phone=PHONE)
    client = APIClient()
    params = {"tracking_no": order.tracking_no, "phone_last4": "5678"}
    codes = [
        client.get(API, params, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]


@pytest.mark.django_db
def test_bad_input_is_a_400_and_logged(build):
    response = lookup("2025", "12")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "phone_last4" in response.json()
    assert PublicRequest.objects.get().outcome == "invalid"


@pytest.mark.django_db
def test_the_reply_appears_only_once_approved(build):
    # given an order replied but not yet approved
    order = build.order("review", phone=PHONE)
    body = lookup(order.tracking_no, "5678").json()
    assert body["stage"] == "processing" and body["reply"] is None and body["replied_at"] is None
    assert body["dispatched_at"] is not None
    # when the supervisor approves it
    build.approve(order)
    body = lookup(order.tracking_no, "5678").json()
    # then the reply is the customer's
    order.refresh_from_db()
    assert body["stage"] == "replied" and body["stage_label"] == zh(Stage.REPLIED.label)
    assert body["reply"] == order.reply and body["replied_at"] is not None


@pytest.mark.django_db
def test_a_closed_order_answers_closed_with_its_reply(build):
    order = build.order("closed", phone=PHONE)
    body = lookup(order.tracking_no, "5678").json()
    assert body["stage"] == "closed" and body["closed_at"] is not None and body["reply"]


@pytest.mark.django_db
def test_the_answer_names_no_staff_no_phone_no_address(build, users):
    # given a closed order handled, approved and called back by named staff
    order = build.order("closed", phone=PHONE)
    order = WorkOrder.objects.select_related("complaint", "assignee", "department").get(pk=order.pk)
    # when its customer looks it up
    text = lookup(order.tracking_no, "5678").content.decode()
    # then nothing of theirs or the customer's contact data is in it
    for user in users.values():
        for name in {user.username, user.display_name, user.get_full_name()} - {""}:
            assert name not in text, name
    assert PHONE not in text and order.complaint.address not in text
    assert order.complaint.customer_name not in text and order.complaint.content not in text
    assert order.department.name not in text


@pytest.mark.django_db
def test_a_merged_order_follows_the_same_customers_order(build):
    # given two orders of one customer, the second merged into the first
    first = build.register(phone=PHONE, account_no="3300000001")
    second = build.register(phone=PHONE, account_no="3300000001")
    build.do(second, "merge", "dispatcher", into=first.pk)
    # when the customer looks the merged one up
    body = lookup(second.tracking_no, "5678").json()
    # then it answers the first order's progress under the number asked
    assert body["tracking_no"] == second.tracking_no
    assert body["merged_into"] == first.tracking_no and body["stage"] == "received"


@pytest.mark.django_db
def test_a_merged_order_of_another_customer_shows_nothing_of_it(build):
    # given an order merged into another customer's order, which has an approved reply
    other = build.order("callback", phone="13800001111")
    second = build.register(phone=PHONE)
    build.do(second, "merge", "dispatcher", into=build.order("processing", phone="13800002222").pk)
    build.do(build.register(phone=PHONE), "merge", "dispatcher", into=other.pk)
    # when its customer looks it up
    body = lookup(second.tracking_no, "5678").json()
    # then it is "handled together", with no reply and no other number
    assert body["stage"] == "merged" and body["merged_into"] is None and body["reply"] is None
    assert body["closed_at"] is not None


@pytest.mark.django_db
def test_the_api_answers_in_english(build):
    order = build.register(phone=PHONE)
    assert lookup(order.tracking_no, "5678", language="en").json()["stage_label"] == "Registered"
    missing = lookup("1", "5678", language="en").json()
    assert missing["detail"].startswith("No complaint matches")


@pytest.mark.django_db
def test_the_api_needs_no_session_and_is_in_the_schema(build, users):
    order = build.register(phone=PHONE)
    client = APIClient(enforce_csrf_checks=True)
    response = client.get(API, {"tracking_no": order.tracking_no, "phone_last4": "5678"})
    assert response.status_code == 200 and "sessionid" not in response.cookies
    assert "no-store" in response["Cache-Control"]
    staff = APIClient()
    staff.force_authenticate(users["agent"])
    schema = staff.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "/api/v1/public/track/" in schema


# --- the page ------------------------------------------------------------------------------------


def page(language="zh-hans"):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    return client


def post_track(client, tracking_no, last4, address="10.0.0.1"):
    form = client.get("/track/")
    token = (
        form.cookies["csrftoken"].value if "csrftoken" in form.cookies else client.cookies["csrftoken"].value
    )
    return client.post(
        "/track/",
        {"tracking_no": tracking_no, "phone_last4": last4, "csrfmiddlewaretoken": token},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_the_page_shows_the_stage_and_the_approved_reply(build):
    order = build.order("callback", phone=PHONE)
    client = page()
    response = post_track(client, order.tracking_no, "5678")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="track-result"' in html and zh(Stage.REPLIED.label) in html
    order.refresh_from_db()
    assert order.reply in html
    assert order.tracking_no not in client.get("/track/").content.decode()  # nothing kept between requests
    assert "sessionid" not in client.cookies


@pytest.mark.django_db
def test_the_page_reads_the_same_for_a_wrong_pair_and_a_missing_order(build):
    order = build.register(phone=PHONE)
    wrong = post_track(page(), order.tracking_no, "0000")
    missing = post_track(page(), order.tracking_no[:-1] + "9", "0000")
    assert wrong.status_code == missing.status_code == 404
    for response in (wrong, missing):
        assert 'data-testid="track-not-found"' in response.content.decode()


@pytest.mark.django_db
def test_the_page_refuses_a_post_without_csrf(build):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/track/", {"tracking_no": "1", "phone_last4": "1234"}).status_code == 403


@pytest.mark.django_db
def test_the_page_says_when_to_try_again(build, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "public_track": "1/min"}
    order = build.register(phone=PHONE)
    client = page()
    assert post_track(client, order.tracking_no, "5678").status_code == 200
    response = post_track(client, order.tracking_no, "5678")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert 'data-testid="track-throttled"' in html and 'name="tracking_no"' in html


@pytest.mark.django_db
def test_the_page_in_english(build):
    order = build.order("processing", phone=PHONE)
    html = post_track(page("en"), order.tracking_no, "5678").content.decode()
    assert "Track a complaint" in html and "In progress" in html


@pytest.mark.django_db
def test_the_page_keeps_the_input_and_explains_a_bad_suffix(build):
    html = post_track(page("en"), "202501010000001", "12").content.decode()
    assert 'value="202501010000001"' in html
    assert "last four digits" in html
