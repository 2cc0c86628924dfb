"""Per-user limits: searches are counted tightly, everything else generously; the limits hold
through a cache outage (issue 13, item 2)."""

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from tests.config.test_cache_outage import DEAD_REDIS


@pytest.fixture
def rates(settings):
    settings.THROTTLE_RATES = {"user": "20/min", "search": "3/min", "search_hour": "100/hour"}
    return settings


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_fourth_search_in_a_minute_is_a_json_429(rates, users):
    handler = api(users["handler"])
    codes = [handler.get(f"/api/v1/workorders/?search=157{n:04d}3955").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    response = handler.get("/api/v1/workorders/?search=1570000")
    assert response.json()["code"] == "throttled" and response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    # Browsing without a search term is not a search; another user has their own count.
    assert handler.get("/api/v1/workorders/").status_code == 200
    assert api(users["handler2"]).get("/api/v1/workorders/?search=1570000").status_code == 200


@pytest.mark.django_db
def test_customer_lookups_count_as_searches(rates, users):
    agent = api(users["agent"])
    codes = [agent.get(f"/api/v1/customers/?phone=1380000{n:04d}").status_code for n in range(4)]
    assert codes[-1] == 429 and 429 not in codes[:3]


@pytest.mark.django_db
def test_every_request_counts_against_the_user_limit(rates, users):
    handler = api(users["handler"])
    codes = [handler.get("/api/v1/me/").status_code for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429


@pytest.mark.django_db
def test_the_search_page_answers_the_429_page(rates, users, client):
    client.force_login(users["handler"])
    codes = [client.get("/search/", {"q": f"1570{n}"}).status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/search/", {"q": "15700"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert 'data-testid="throttled"' in response.content.decode()
    assert client.get("/orders/").status_code == 200  # the list without a search is not limited


@pytest.mark.django_db
def test_the_limit_holds_while_the_cache_is_down(rates, users):
    rates.CACHES = DEAD_REDIS
    caches._settings = None  # noqa: SLF001
    try:
        handler = api(users["handler"])
        codes = [handler.get(f"/api/v1/workorders/?search=157{n:04d}").status_code for n in range(4)]
    finally:
        caches._settings = None  # noqa: SLF001
    assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
def test_an_empty_rate_switches_a_limit_off(settings, users):
    settings.THROTTLE_RATES = {"user": None, "search": None, "search_hour": None}
    handler = api(users["handler"])
    assert {handler.get(f"/api/v1/workorders/?search=1{n}").status_code for n in range(10)} == {200}
