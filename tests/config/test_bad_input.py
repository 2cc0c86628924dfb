"""Bad input never gives a 500, and every API error is JSON ``{"detail", "code"}`` (issue 13, item 8)."""

import json

import pytest
from rest_framework.test import APIClient

from complaints.models import Complaint
from tests.builders import intake_body


@pytest.fixture
def agent_api(users):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(users["agent"])
    return client


def assert_json_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"], body
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "42", "true"])
@pytest.mark.parametrize(
    ("who", "method", "url"),
    [
        ("agent", "post", "/api/v1/complaints/"),
        ("manager", "post", "/api/v1/exports/"),
        ("handler", "post", "/api/v1/notifications/read/"),
        ("handler", "put", "/api/v1/notifications/preferences/"),
    ],
)
def test_a_json_body_that_is_not_an_object_is_400(users, who, method, url, body):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(users[who])
    response = getattr(client, method)(url, data=body, content_type="application/json")
    assert_json_error(response, 400, "parse_error")
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_a_non_object_body_names_what_it_got(agent_api):
    response = agent_api.post("/api/v1/complaints/", data="[]", content_type="application/json")
    body = assert_json_error(response, 400, "parse_error")
    assert "array" in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workorders/?search=a%00b",
        "/api/v1/workorders/?phone=138%00",
        "/api/v1/workorders/?status=processing%00",
        "/api/v1/customers/?q=%00",
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_400(agent_api, path):
    assert_json_error(agent_api.get(path), 400, "invalid")


@pytest.mark.django_db
def test_a_nul_character_in_a_json_body_is_400_and_nothing_is_stored(agent_api):
    body = json.dumps(intake_body(content="停电\u0000三天"))
    assert "\\u0000" in body
    response = agent_api.post("/api/v1/complaints/", data=body, content_type="application/json")
    assert_json_error(response, 400, "invalid")
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_a_nul_byte_in_a_page_form_is_400_not_500(client, users):
    client.raise_request_exception = False
    client.force_login(users["agent"])
    response = client.post("/intake/", {"customer_name": "张\x00三", "content": "x"})
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_api_route_is_a_json_404(agent_api):
    assert_json_error(agent_api.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_json_error(agent_api.post("/api/v9/", data={}), 404, "not_found")


@pytest.mark.django_db
def test_an_unknown_page_is_still_the_html_404(client, users):
    client.force_login(users["agent"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_an_oversized_body_is_a_json_413(agent_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps(intake_body(content="停" * 20_000))
    response = agent_api.post("/api/v1/complaints/", data=body, content_type="application/json")
    assert_json_error(response, 413, "request_too_large")
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_an_unexpected_error_in_an_api_view_is_a_json_500(agent_api, monkeypatch):
    from workorders import api as workorders_api

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(workorders_api.WorkOrderListApi, "list", boom)
    assert_json_error(agent_api.get("/api/v1/workorders/"), 500, "server_error")


@pytest.mark.django_db
def test_an_id_beyond_64_bits_is_a_400_not_a_500(users):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(users["handler"])
    response = client.post("/api/v1/notifications/read/", {"ids": [18641598758310276759552]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_a_path_id_beyond_64_bits_is_a_404(users):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(users["handler"])
    assert_json_error(client.get("/api/v1/workorders/99999999999999999999999/"), 404, "not_found")
