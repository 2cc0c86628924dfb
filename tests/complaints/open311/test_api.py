"""The Open311 endpoints' rules, through Django's test client: input errors, retries, scope and
what a request shows, throttling, language, the log, the service accounts."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Open311Client
from complaints.models import Complaint, PublicRequest
from tests.complaints.open311.conftest import filing
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"


def post(client, key, fmt="json", headers=None, **overrides):
    return client.post(
        f"/open311/v2/requests.{fmt}", {**filing(**overrides), "api_key": key}, headers=headers or {}
    )


def error(response) -> str:
    [problem] = response.json()
    assert problem["code"] == response.status_code
    return problem["description"]


# --- filing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"service_code": None}, "service_code"),
        ({"service_code": "0401"}, "0401"),  # not a leaf
        ({"service_code": "999999"}, "999999"),
        ({"description": None}, "description"),
        ({"phone": "12345"}, "phone"),
        ({"address_string": None}, "address_string"),
        ({"address_string": None, "address_id": "A-1"}, "address_id"),
        ({"lat": "30.2"}, "long"),
        ({"lat": "91", "long": "120"}, "lat"),
        ({"account_no": "123"}, "account_no"),
        ({"external_ref": "x" * 41}, "external_ref"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, platform, overrides, names):
    _platform, key = platform
    response = post(client, key, locale="en", **overrides)
    assert response.status_code == 400
    assert names in error(response)
    assert not Complaint.objects.exists()


def test_coordinates_alone_are_the_address_and_with_an_address_are_added(client, platform):
    _platform, key = platform
    alone = post(client, key, address_string=None, lat="30.27", long="120.15")
    both = post(client, key, lat="30.27", long="120.15")
    assert alone.status_code == both.status_code == 201
    addresses = dict(Complaint.objects.values_list("tracking_no", "address"))
    assert addresses[alone.json()[0]["service_request_id"]] == "(30.27, 120.15)"
    assert addresses[both.json()[0]["service_request_id"]] == "滨江市城东区幸福路12号3单元 (30.27, 120.15)"


def test_the_fields_map_to_the_complaint(client, make_client):
    _platform, key = make_client("城市服务平台", channel="other")
    response = post(
        client, key, first_name="Wei", last_name="Li", account_no="3300000001", external_ref="BJ2026-1"
    )
    order = WorkOrder.objects.select_related("complaint").get(
        tracking_no=response.json()[0]["service_request_id"]
    )
    complaint = order.complaint
    assert (complaint.channel, order.channel) == ("other", "other")
    assert complaint.customer_name == "Wei Li"
    assert complaint.account_no == "3300000001"
    assert complaint.external_ref == "BJ2026-1"
    assert complaint.demand  # a standard phrase: the spec has no demand
    assert order.status == "classification"


def test_a_retry_with_the_same_case_number_files_once(client, platform):
    _platform, key = platform
    body = filing(external_ref="12345-2026-0001")

    first = client.post(URL, {**body, "api_key": key})
    again = client.post(URL, {**body, "api_key": key})
    changed = client.post(URL, {**body, "description": "另一件事", "api_key": key})

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Complaint.objects.count() == 1
    assert changed.status_code == 422  # the same case number with another body
    assert PublicRequest.objects.filter(kind="open311", outcome="replayed").count() == 1


def test_a_retry_with_the_same_idempotency_key_files_once(client, platform):
    _platform, key = platform
    body = {**filing(), "api_key": key}
    first = client.post(URL, body, headers={"Idempotency-Key": "retry-1"})
    again = client.post(URL, body, headers={"Idempotency-Key": "retry-1"})
    other = client.post(URL, body, headers={"Idempotency-Key": "retry-2"})
    assert first.json() == again.json() != other.json()
    assert Complaint.objects.count() == 2


def test_a_deactivated_client_is_refused(client, platform):
    platform_row, key = platform
    platform_row.is_active = False
    platform_row.save()
    assert post(client, key).status_code == 403
    assert client.get(URL, {"api_key": key}).status_code == 403


def test_a_new_key_replaces_the_old_one(client, platform):
    platform_row, old_key = platform
    new_key = platform_row.issue_key()
    platform_row.save()
    assert post(client, old_key).status_code == 403
    assert post(client, new_key).status_code == 201


# --- reading --------------------------------------------------------------------------------------


def test_a_request_shows_no_staff_name_nor_the_customers_contact(client, platform, build, users):
    _platform, key = platform
    request_id = post(client, key, phone="13912340000").json()[0]["service_request_id"]
    order = WorkOrder.objects.get(tracking_no=request_id)
    build.classify(order)
    build.assign(order)
    build.accept_and_contact(order)

    body = client.get(f"/open311/v2/requests/{request_id}.json", {"api_key": key}).content.decode()

    assert "13912340000" not in body and "139****0000" not in body
    assert "张三" not in body
    handler = users["handler2"]
    for name in {handler.display_name, handler.username, users["dispatcher"].display_name} - {""}:
        assert name not in body


def test_the_list_filters(client, platform, build):
    _platform, key = platform
    closed_id = post(client, key).json()[0]["service_request_id"]
    open_id = post(client, key, service_code="010101").json()[0]["service_request_id"]
    build.do(WorkOrder.objects.get(tracking_no=closed_id), "dismiss", "supervisor", reason="非供电企业责任")

    def ids(**params):
        response = client.get(URL, {"api_key": key, **params})
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    assert ids() == [open_id, closed_id]
    assert ids(status="open") == [open_id]
    assert ids(status="closed") == [closed_id]
    assert ids(status="open,closed") == [open_id, closed_id]
    assert ids(service_code="040101") == [closed_id]
    assert ids(service_request_id=f"{closed_id},nonesuch") == [closed_id]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert ids(start_date=tomorrow) == []
    assert ids(start_date="2026-01-01T00:00:00Z", end_date="2026-01-02T00:00:00Z") == []
    dismissed = client.get(f"/open311/v2/requests/{closed_id}.json", {"api_key": key}).json()[0]
    assert dismissed["status"] == "closed" and dismissed["status_notes"]  # the outcome, in words


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},  # > 90 days
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
    ],
)
def test_bad_filters_are_a_400(client, platform, params):
    _platform, key = platform
    response = client.get(URL, {"api_key": key, **params})
    assert response.status_code == 400 and error(response)


def test_reading_needs_a_key_and_another_clients_request_is_not_found(client, platform, make_client):
    _platform, key = platform
    _other, other_key = make_client("临江市12345平台")
    request_id = post(client, key).json()[0]["service_request_id"]

    assert client.get(URL).status_code == 403
    assert client.get(f"/open311/v2/requests/{request_id}.json").status_code == 403
    theirs = client.get(f"/open311/v2/requests/{request_id}.json", {"api_key": other_key})
    missing = client.get("/open311/v2/requests/209901010000001.json", {"api_key": other_key})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


def test_an_order_taken_by_an_agent_on_the_same_channel_is_not_a_platforms(client, platform, build):
    _platform, key = platform
    order = build.register(channel="gov_12345")
    response = client.get(f"/open311/v2/requests/{order.tracking_no}.json", {"api_key": key})
    assert response.status_code == 404
    assert client.get(URL, {"api_key": key}).json() == []


# --- formats, language, limits, log ---------------------------------------------------------------


def test_xml_answers_parse_even_with_control_characters_in_the_text(client, platform):
    _platform, key = platform
    created = post(client, key, fmt="xml", description="电压\x0b偏低\x01，请处理")
    request_id = ET.fromstring(created.content).findtext("request/service_request_id")
    read = client.get(f"/open311/v2/requests/{request_id}.xml", {"api_key": key})
    assert read["Content-Type"].startswith("application/xml")
    root = ET.fromstring(read.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/description") == "电压偏低，请处理"
    refused = ET.fromstring(client.get("/open311/v2/requests.xml").content)
    assert refused.tag == "errors" and refused.findtext("error/code") == "403"


def test_services_in_english_when_asked(client):
    chinese = {s["service_code"]: s for s in client.get("/open311/v2/services.json").json()}
    english = {s["service_code"]: s for s in client.get("/open311/v2/services.json", {"locale": "en"}).json()}
    assert chinese["040101"]["service_name"] == "低电压"
    assert english["040101"]["service_name"] == "Low voltage"
    assert english["040101"]["group"] == "Supply quality"
    assert client.get("/open311/v2/services.json", {"locale": "en_US"})["Content-Language"] == "en"


def test_services_follow_accept_language(client):
    english = client.get("/open311/v2/services.json", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english["Content-Language"] == "en"


def test_throttled_per_client_with_the_spec_error(client, platform, make_client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "open311": "2/min"}
    _platform, key = platform
    _other, other_key = make_client("临江市12345平台")
    for _ in range(2):
        assert client.get(URL, {"api_key": key}).status_code == 200
    throttled = client.get(URL, {"api_key": key})
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) >= 1
    assert error(throttled)
    assert client.get(URL, {"api_key": other_key}).status_code == 200  # another client's own count
    assert PublicRequest.objects.filter(kind="open311", outcome="throttled").count() == 1


def test_every_answer_is_logged_without_the_phone(client, platform):
    platform_row, key = platform
    created = post(client, key, phone="13912349876")
    request_id = created.json()[0]["service_request_id"]
    client.get(f"/open311/v2/requests/{request_id}.json", {"api_key": key})
    client.get("/open311/v2/services.xml")
    client.post(URL, {"api_key": "o311_wrong"})

    rows = list(PublicRequest.objects.filter(kind="open311").order_by("id"))
    assert [row.outcome for row in rows] == ["created", "found", "services", "forbidden"]
    assert rows[0].order == rows[1].order == WorkOrder.objects.get(tracking_no=request_id)
    assert rows[0].tracking_no == request_id
    assert rows[0].detail["client"] == platform_row.pk and rows[3].detail["client"] is None
    assert rows[2].detail["format"] == "xml"
    assert all("13912349876" not in str(row.detail) and row.phone_suffix == "" for row in rows)


def test_no_csrf_token_nor_session_is_needed(platform):
    from django.test import Client

    _platform, key = platform
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {**filing(), "api_key": key}).status_code == 201
    assert "sessionid" not in strict.cookies


def test_unknown_paths_and_tokens_answer_the_spec_404(client):
    response = client.get("/open311/v2/tokens/123.json")
    assert response.status_code == 404 and error(response)
    assert client.delete(URL).status_code == 405


# --- the client's service account -----------------------------------------------------------------


def test_a_client_files_as_its_own_service_account_that_cannot_sign_in(client, platform):
    platform_row, key = platform
    account = platform_row.user
    assert not account.is_active and not account.has_usable_password()
    assert account.roles == frozenset()
    assert "滨江市12345平台" in str(account)
    assert not Open311Client.objects.filter(key_hash=key).exists()  # only the fingerprint is kept
    assert Open311Client.for_key(key) == platform_row


def test_wrong_keys_are_throttled_per_address(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "open311": "2/min"}
    for _ in range(2):
        assert client.get(URL, {"api_key": "o311_guess"}).status_code == 403
    assert client.get(URL, {"api_key": "o311_guess"}).status_code == 429
