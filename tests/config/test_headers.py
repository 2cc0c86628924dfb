"""Personal data is never kept by a browser or proxy; the API schema is for signed-in users
(issue 13, item 13)."""

import pytest
from rest_framework.test import APIClient


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/orders/", "/intake/", "/search/?q=138", "/notifications/"])
def test_pages_of_a_signed_in_user_are_not_stored(client, users, path):
    client.force_login(users["agent"])
    response = client.get(path)
    assert response.status_code == 200
    assert no_store(response) and "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_api_answers_are_not_stored(users, build):
    order = build.register()
    api = APIClient()
    api.force_authenticate(users["agent"])
    for path in ("/api/v1/workorders/", f"/api/v1/workorders/{order.pk}/", "/api/v1/me/"):
        response = api.get(path)
        assert response.status_code == 200 and no_store(response), path
    assert no_store(APIClient().get("/api/v1/workorders/"))  # a refusal too


@pytest.mark.django_db
def test_the_api_schema_needs_a_login(users):
    assert APIClient().get("/api/schema/").status_code in (401, 403)
    api = APIClient()
    api.force_authenticate(users["agent"])
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200 and "/api/v1/complaints/" in response.content.decode()
