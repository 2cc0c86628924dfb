"""Guards against N+1 queries on the hot paths (issue 12): each list, queue, detail and dashboard
page, and an intake, costs the same number of queries whatever the number of orders, events and
deadlines it shows, and no more than its ceiling. Speed itself is measured by ``manage.py
benchmark``, never here; these counts are what keeps it from slipping between two benchmark runs.

A ceiling is the count today plus a little room; raise it only with a reason in the commit.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import intake_body

pytestmark = pytest.mark.django_db


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 201), response.status_code
    return len(captured.captured_queries)


def more_orders(build, n, start):
    """``n`` orders in several states, each with events and deadlines, for distinct customers."""
    states = ["processing", "review", "callback", "assignment", "closed"]
    for i in range(n):
        build.order(states[i % len(states)], phone=f"139{start + i:08d}", account_no=f"33{start + i:08d}")


LIST_PATHS = [
    # (who, path, ceiling). The category, unit, department and assignee of a page are one small
    # query each (prefetched by id, not joined: the seven-table join cost 10-16 ms of planning at
    # 1,000,000 orders, workorders.selectors.workorder_list), hence up to 4 besides the page.
    ("manager", "/api/v1/workorders/", 7),
    ("manager", "/api/v1/workorders/?status=processing&status=review&level=general", 7),
    ("supervisor", "/api/v1/workorders/?category=04", 8),
    ("handler2", "/api/v1/workorders/", 7),
    ("dispatcher", "/api/v1/workorders/?search=13900000003", 7),
]

PAGE_PATHS = [
    ("manager", "/orders/", 16),
    ("supervisor", "/orders/?queue=review", 22),
    ("agent", "/orders/?queue=callback", 19),
    ("handler2", "/orders/", 16),
    ("manager", "/dashboard/", 40),
    ("manager", "/search/?q=电压", 17),
]


@pytest.mark.parametrize(("who", "path", "ceiling"), LIST_PATHS)
def test_the_list_api_costs_the_same_for_3_and_13_orders(build, api_client_for, who, path, ceiling):
    client = api_client_for(who)
    more_orders(build, 3, 0)
    client.get(path)  # per-process caches (categories, the calendar) fill on the first request
    few = queries(lambda: client.get(path))
    more_orders(build, 10, 100)
    many = queries(lambda: client.get(path))
    assert many == few, (few, many)
    assert many <= ceiling, many


@pytest.mark.parametrize(("who", "path", "ceiling"), PAGE_PATHS)
def test_the_pages_cost_the_same_for_3_and_13_orders(build, page_client_for, who, path, ceiling):
    client = page_client_for(who)
    more_orders(build, 3, 200)
    client.get(path)  # the first request of a session fills per-process caches
    few = queries(lambda: client.get(path))
    more_orders(build, 10, 300)
    many = queries(lambda: client.get(path))
    assert many == few, (few, many)
    assert many <= ceiling, many


def test_the_order_page_and_api_cost_the_same_for_a_short_and_a_long_history(
    build, page_client_for, api_client_for
):
    short = build.order("review", phone="13900000501", account_no="3300000501")
    long = build.order("review", phone="13900000502", account_no="3300000502")
    build.do(long, "reject", "supervisor", reason="措施不具体")
    build.reply(long)
    for n in range(8):
        build.do(long, "note", "agent", comment=f"备注 {n}")
    page, api = page_client_for("supervisor"), api_client_for("supervisor")
    page.get(f"/orders/{short.pk}/")
    counts = {
        name: (queries(lambda o=short, c=call: c(o)), queries(lambda o=long, c=call: c(o)))
        for name, call in {
            "page": lambda o: page.get(f"/orders/{o.pk}/"),
            "api": lambda o: api.get(f"/api/v1/workorders/{o.pk}/"),
            "events": lambda o: api.get(f"/api/v1/workorders/{o.pk}/events/"),
        }.items()
    }
    for name, (few, many) in counts.items():
        assert few == many, (name, few, many)
    assert counts["page"][1] <= 27 and counts["api"][1] <= 10 and counts["events"][1] <= 5, counts


def test_an_intake_costs_the_same_for_a_new_and_a_known_customer(build, api_client_for):
    client = api_client_for("agent")
    first = queries(lambda: client.post("/api/v1/complaints/", intake_body(), format="json"))
    body = intake_body(phone="13900000601", account_no="3300000601")
    for n in range(4):
        build.register(phone="13900000601", account_no="3300000601", content=f"第 {n} 次来电")
    known = queries(lambda: client.post("/api/v1/complaints/", body, format="json"))
    assert known <= first + 3, (first, known)
    assert known <= 36, known
