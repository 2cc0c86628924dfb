"""The navigation's queue counts are bounded: past the cap the badge says "99+" (the COUNT stops
there, so it costs the same at a million orders)."""

import re

import pytest

from workorders import queues

pytestmark = pytest.mark.django_db


def badge(body: str, code: str) -> str:
    return re.search(rf'data-queue="{code}">[^<]*<span[^>]*>([^<]*)</span>', body).group(1)


def test_a_queue_badge_counts_up_to_the_cap(build, page_client_for, monkeypatch):
    for n in range(3):
        build.order("review", phone=f"1390000070{n}", account_no=f"330000070{n}")
    client = page_client_for("supervisor", "en")
    assert badge(client.get("/orders/").content.decode(), "review") == "3"
    monkeypatch.setattr(queues, "QUEUE_COUNT_CAP", 2)
    assert badge(client.get("/orders/").content.decode(), "review") == "2+"


def test_the_badges_are_kept_a_few_seconds_and_the_users_own_action_shows_at_once(
    build, page_client_for, settings, monkeypatch
):
    settings.QUEUE_COUNT_SECONDS = 60
    first = build.order("review", phone="13900000710", account_no="3300000710")
    client = page_client_for("supervisor", "en")
    assert badge(client.get("/orders/").content.decode(), "review") == "1"
    # another user's work shows when the kept counts expire, not on every page
    counted = []
    real = queues.queue_orders
    monkeypatch.setattr(queues, "queue_orders", lambda *a, **k: counted.append(a[1]) or real(*a, **k))
    build.order("review", phone="13900000711", account_no="3300000711")
    assert badge(client.get("/orders/").content.decode(), "review") == "1"
    assert counted == []
    # the supervisor's own action drops them: the next page counts anew
    response = client.post(f"/orders/{first.pk}/act/approve/", {"version": first.version, "comment": "ok"})
    assert response.status_code in (200, 302)
    assert badge(client.get("/orders/").content.decode(), "review") == "1"  # one approved, one new
    assert "review" in counted
    # 0: counted on every page
    settings.QUEUE_COUNT_SECONDS = 0
    build.order("review", phone="13900000712", account_no="3300000712")
    assert badge(client.get("/orders/").content.decode(), "review") == "2"
