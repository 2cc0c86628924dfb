"""Redis (the cache) unreachable: intake, transitions, lists and badges still answer, from the
database; the health check says "degraded", not "down" (issue 13, item 1)."""

import socket
import threading
import time

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from complaints.models import Complaint
from config import cache as safe_cache
from tests.builders import category, intake_body
from tests.workorders.factories import act
from workorders.deadlines.calendar import forget_calendar
from workorders.models import WorkOrder

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = DEAD_REDIS
    caches._settings = None  # noqa: SLF001 - make the handler read the new setting
    forget_calendar()  # the calendar must come from the database, not a process copy
    yield
    caches._settings = None  # noqa: SLF001


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_intake_and_the_first_transitions_commit_with_the_cache_down(dead_cache, users):
    agent, dispatcher = api(users["agent"]), api(users["dispatcher"])

    response = agent.post("/api/v1/complaints/", intake_body(), format="json")
    assert response.status_code == 201, response.content[:300]
    order = WorkOrder.objects.get(complaint__tracking_no=response.json()["tracking_no"])
    assert order.deadlines.exists()  # the deadline engine read the calendar from the database

    act(dispatcher, order.pk, "classify", category=category("040101").pk, level="general")
    order.refresh_from_db()
    assert order.category.code == "040101" and order.events.filter(action="classify").exists()
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_lists_pages_and_badges_answer_with_the_cache_down(dead_cache, users, build, client):
    build.register()
    assert api(users["dispatcher"]).get("/api/v1/workorders/").status_code == 200
    client.force_login(users["dispatcher"])
    page = client.get("/orders/")
    assert page.status_code == 200
    assert client.get("/healthz").json()["status"] == "degraded"


@pytest.fixture
def hanging_cache(settings):
    """A "Redis" that accepts connections and never answers: every call waits for the timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted = []
    threading.Thread(
        target=lambda: [accepted.append(listener.accept()) for _ in range(64)], daemon=True
    ).start()
    port = listener.getsockname()[1]
    settings.CACHES = {"default": {**DEAD_REDIS["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    caches._settings = None  # noqa: SLF001
    yield
    caches._settings = None  # noqa: SLF001
    listener.close()


def test_an_outage_costs_one_timeout_per_process_not_one_per_call(hanging_cache):
    started = time.monotonic()
    for _ in range(20):
        assert safe_cache.cache_get("k", "fallback") == "fallback"
        safe_cache.cache_set("k", 1, 5)
    # 40 calls waiting 0.5 s each would take 20 s; the breaker skips the cache after the first.
    assert time.monotonic() - started < 3
    assert not safe_cache.cache_healthy()


@pytest.mark.django_db
def test_healthz_reports_a_dead_cache_as_degraded(dead_cache, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["cache"] == {"ok": False}
    assert body["database"]["ok"] is True
