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
