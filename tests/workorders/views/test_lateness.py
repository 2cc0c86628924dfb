"""The lists and the order page say which stage is late now or was late (issue 11, item 2), not one
sticky "overdue" for everything; the API says it too (``late_stages``)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workorders.models import WorkOrder

from .conftest import found_overdue

pytestmark = pytest.mark.django_db


def dispatched_late(build, **fields):
    """Received three hours ago, dispatched an hour later than its 30 minutes allow; on time since."""
    now = timezone.now()
    order = build.register(now - timedelta(hours=3), **fields)
    build.classify(order, now - timedelta(hours=1, minutes=35))
    return build.assign(order, now - timedelta(hours=1, minutes=30))


def callback_overdue(build, **fields):
    """Waiting for the callback, whose deadline passed (found by the sweep)."""
    return found_overdue(build.order("callback", **fields), "callback")


def badges(body: str, order) -> list[tuple[str, str, str]]:
    """(kind, stage, text) of the lateness badges in the order's list row."""
    row = re.search(rf'<tr[^>]*data-order="{order.pk}">(.*?)</tr>', body, re.S).group(1)
    return re.findall(r'data-late="(\w+)" data-late-stage="(\w+)">([^<]*)<', row)


def test_the_list_names_the_late_stage_overdue_now_or_done_late(build, page_client_for):
    overdue = callback_overdue(build, phone="13900000011", account_no="3300000011")
    late = dispatched_late(build, phone="13900000012", account_no="3300000012")
    on_time = build.order("processing", phone="13900000013", account_no="3300000013")

    body = page_client_for("dispatcher", "en").get(reverse("workorders:list")).content.decode()

    assert badges(body, overdue) == [("overdue", "callback", "Callback overdue")]
    assert badges(body, late) == [("late", "dispatch", "Dispatch late")]
    assert badges(body, on_time) == []
    # the sticky flag is no badge of its own any more: the late order is not "Overdue" now
    assert WorkOrder.objects.get(pk=late.pk).is_overdue is False
    row = re.search(rf'<tr class="([^"]*)" data-order="{overdue.pk}">', body)
    assert row.group(1) == "row-overdue"
    row = re.search(rf'<tr class="([^"]*)" data-order="{late.pk}">', body)
    assert row.group(1) != "row-overdue"  # its first contact is due within the day: near, not overdue


def test_the_queues_show_the_late_stages_in_chinese_too(build, page_client_for):
    overdue = callback_overdue(build)
    body = page_client_for("agent").get(reverse("workorders:list"), {"queue": "callback"}).content.decode()
    assert [(kind, stage) for kind, stage, _text in badges(body, overdue)] == [("overdue", "callback")]
    assert '<span class="badge text-bg-danger">已超期</span>' not in body  # the sticky badge is gone


def test_a_sticky_flag_alone_no_longer_marks_an_order_overdue(build, page_client_for):
    # given an order flagged overdue once, whose late stage was done since: nothing is overdue now
    order = dispatched_late(build)
    WorkOrder.objects.filter(pk=order.pk).update(is_overdue=True)
    body = (
        page_client_for("dispatcher", "en")
        .get(reverse("workorders:list"), {"overdue": "true"})
        .content.decode()
    )
    # the overdue filter still finds it (it filters on the flag) ...
    assert f'data-order="{order.pk}"' in body
    # ... and the row says what was late, and that the next deadline is still running
    assert badges(body, order) == [("late", "dispatch", "Dispatch late")]
    # (coloured by the share of that deadline's limit used, issue 14: not overdue)
    row = re.search(rf'<tr class="row-(\w+)" data-order="{order.pk}">', body)
    assert row and row.group(1) in ("ok", "half", "near") and " left</td>" in body


def test_the_list_costs_the_same_queries_for_2_or_10_late_orders(build, page_client_for):
    client = page_client_for("dispatcher", "en")
    url = reverse("workorders:list")

    def queries_for(n):
        while WorkOrder.objects.count() < n:
            i = WorkOrder.objects.count()
            if i % 2:
                callback_overdue(build, phone=f"139000010{i:02d}", account_no=f"33000010{i:02d}")
            else:
                dispatched_late(build, phone=f"139000010{i:02d}", account_no=f"33000010{i:02d}")
        client.get(url)  # warm the caches
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).content.decode()
        assert body.count("data-late=") == n
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(10)


def test_the_order_page_marks_each_deadline_and_names_the_late_stages(build, page_client_for):
    order = dispatched_late(build)
    build.accept(order)
    build.contact(order)
    build.reply(order)
    build.approve(order)
    found_overdue(order, "callback", ago=timedelta(hours=3, minutes=20))

    body = page_client_for("agent", "en").get(reverse("workorders:detail", args=[order.pk])).content.decode()

    header = body[: body.index('data-testid="actions"')]
    assert 'data-late="overdue" data-late-stage="callback">Callback overdue<' in header
    assert 'data-late="late" data-late-stage="dispatch">Dispatch late<' in header
    assert ">Overdue<" not in header
    states = {
        stage: state for state, stage in re.findall(r'data-deadline-state="(\w*)" data-stage="(\w+)"', body)
    }
    assert states["dispatch"] == "late" and states["callback"] == "overdue"
    assert states["contact"] == states["reply"] == states["review"] == "ontime"
    dispatch = re.search(r'data-stage="dispatch">(.*?)</tr>', body, re.S).group(1)
    assert "Late by 1h 0m" in dispatch
    callback = re.search(r'data-stage="callback">(.*?)</tr>', body, re.S).group(1)
    assert "Overdue now" in callback and "Overdue by 3h 20m" in callback
    assert "On time" in re.search(r'data-stage="contact">(.*?)</tr>', body, re.S).group(1)


def test_a_held_reply_clock_is_marked_held(build, page_client_for):
    order = build.order("processing")
    build.do(
        order,
        "request_extension",
        "handler2",
        requested_due_at=timezone.now() + timedelta(days=10),
        reason="需协调施工单位",
        basis="施工计划",
    )
    body = (
        page_client_for("supervisor", "en")
        .get(reverse("workorders:detail", args=[order.pk]))
        .content.decode()
    )
    reply = re.search(r'data-deadline-state="(\w*)" data-stage="reply">(.*?)</tr>', body, re.S)
    assert reply.group(1) == "held" and "Held: extension pending" in reply.group(2)


def test_the_api_names_the_late_stages_beside_the_sticky_flag(build, api_client_for):
    overdue = callback_overdue(build)
    late = dispatched_late(build)
    api = api_client_for("supervisor")

    detail = api.get(f"/api/v1/workorders/{overdue.pk}/").json()
    assert detail["is_overdue"] is True
    assert detail["late_stages"] == {"overdue": ["callback"], "late": []}
    listed = {o["id"]: o for o in api.get("/api/v1/workorders/").json()["results"]}
    assert listed[late.pk]["late_stages"] == {"overdue": [], "late": ["dispatch"]}
    assert listed[late.pk]["is_overdue"] is False
    assert listed[overdue.pk]["late_stages"] == {"overdue": ["callback"], "late": []}


def test_the_api_list_reads_deadlines_and_lateness_in_one_query(build, api_client_for):
    for i in range(3):
        callback_overdue(build, phone=f"1390000020{i}", account_no=f"330000020{i}")
    with CaptureQueriesContext(connection) as ctx:
        results = api_client_for("supervisor").get("/api/v1/workorders/").json()["results"]
    assert all(r["late_stages"]["overdue"] == ["callback"] for r in results)
    assert len([q for q in ctx.captured_queries if "workorders_deadline" in q["sql"]]) == 1


def test_the_schema_documents_late_stages(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()  # the schema needs a login
    props = schema["components"]["schemas"]["WorkOrder"]["properties"]
    assert "late_stages" in props and "is_overdue" in props


def test_search_and_the_customer_page_name_the_late_stage_too(build, page_client_for):
    overdue = callback_overdue(build, phone="13900000021", account_no="3300000021")
    client = page_client_for("agent", "en")
    search = client.get(reverse("complaints:search"), {"q": "13900000021"}).content.decode()
    assert 'data-late="overdue" data-late-stage="callback"' in search and overdue.tracking_no in search
    page = client.get(reverse("complaints:customer", args=[overdue.customer_id])).content.decode()
    assert 'data-late="overdue" data-late-stage="callback"' in page
    assert ">Overdue<" not in page  # not the sticky flag
