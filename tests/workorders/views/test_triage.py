"""Queues for triage (issue 14, item 4): due soonest first, a content snippet, the phone in the
callback queue, the time left coloured by the share of its limit used, the badges refreshed after
an action, "next in queue", and the dispatcher's aids (handlers per department, the suggested
department, bulk assignment)."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from workorders.deadlines.engine import sync_next_due_many
from workorders.models import Assignment, Deadline, WorkOrder
from workorders.queues import due_class, due_share
from workorders.selectors import department_suggestion, handlers_by_department

pytestmark = pytest.mark.django_db


def rows(body: str) -> list[int]:
    """The order ids of a list page, top to bottom."""
    return [int(pk) for pk in re.findall(r'<tr[^>]*data-order="(\d+)"', body)]


def set_clock(order, *, started_ago: timedelta, due_in: timedelta):
    """The order's earliest running deadline started ``started_ago`` and falls due ``due_in`` from now."""
    now = timezone.now()
    first = (
        Deadline.objects.open().filter(order_id=order.pk, held_since__isnull=True).order_by("due_at").first()
    )
    Deadline.objects.filter(order_id=order.pk, met_at__isnull=True, cancelled_at__isnull=True).exclude(
        pk=first.pk
    ).update(due_at=now + timedelta(days=60))
    Deadline.objects.filter(pk=first.pk).update(started_at=now - started_ago, due_at=now + due_in)
    sync_next_due_many([order.pk])  # as the deadline effects keep it


# --- order and colour ------------------------------------------------------------------------------


def test_a_queue_lists_the_order_due_soonest_first_and_overdue_on_top(build, page_client_for):
    # given three orders waiting for assignment, registered in this order, due in reverse
    later = build.order("assignment")
    sooner = build.order("assignment")
    overdue = build.order("assignment")
    set_clock(later, started_ago=timedelta(minutes=5), due_in=timedelta(hours=5))
    set_clock(sooner, started_ago=timedelta(minutes=5), due_in=timedelta(minutes=30))
    set_clock(overdue, started_ago=timedelta(hours=3), due_in=-timedelta(minutes=10))

    # when the dispatcher opens the queue
    body = page_client_for("dispatcher").get(reverse("workorders:list"), {"queue": "assign"}).content.decode()

    # then the overdue one is first, then the one due soonest
    assert rows(body) == [overdue.pk, sooner.pk, later.pk]
    assert '<option value="due" selected>' in body  # the queue's default sort, and it says so


def test_the_due_sort_pages_by_keyset(build, page_client_for, monkeypatch):
    monkeypatch.setattr("workorders.views.PAGE_SIZE", 2)
    orders = [build.order("assignment") for _ in range(3)]
    for i, order in enumerate(orders):
        set_clock(order, started_ago=timedelta(minutes=5), due_in=timedelta(hours=3 - i))
    client = page_client_for("dispatcher")
    first = client.get(reverse("workorders:list"), {"queue": "assign"}).content.decode()
    assert rows(first) == [orders[2].pk, orders[1].pk]
    after = re.search(r'href="\?([^"]*after=[^"]*)" data-testid="next-page"', first).group(1)
    second = client.get(reverse("workorders:list") + "?" + after.replace("&amp;", "&")).content.decode()
    assert rows(second) == [orders[0].pk]


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        (0.1, "ok"),
        (0.49, "ok"),
        (0.5, "half"),
        (0.79, "half"),
        (0.8, "near"),
        (0.99, "near"),
        (1.0, "overdue"),
    ],
)
def test_the_time_left_colour_is_the_share_of_the_limit_used(used, expected):
    now = timezone.now()
    started, due = now - timedelta(hours=100 * used), now + timedelta(hours=100 * (1 - used))
    assert due_class(due_share(started, due, now)) == expected


def test_a_long_limit_with_a_day_left_is_red_and_a_short_one_with_an_hour_left_green(build, page_client_for):
    # given a 10-day limit with 20 hours left, and a 2-hour limit with 1.5 hours left
    long_limit = build.order("assignment")
    short_limit = build.order("assignment")
    set_clock(long_limit, started_ago=timedelta(days=9, hours=4), due_in=timedelta(hours=20))
    set_clock(short_limit, started_ago=timedelta(minutes=30), due_in=timedelta(minutes=90))

    body = page_client_for("dispatcher").get(reverse("workorders:list"), {"queue": "assign"}).content.decode()

    assert re.search(rf'<tr class="row-near" data-order="{long_limit.pk}">', body)
    assert re.search(rf'<tr class="row-ok" data-order="{short_limit.pk}">', body)
    assert 'data-time="near"' in body and 'data-time="ok"' in body


# --- what a row shows ------------------------------------------------------------------------------


def test_the_callback_queue_shows_the_content_snippet_and_the_phone(build, page_client_for):
    order = build.order(
        "callback", phone="13900004321", content="家里电压长期偏低，空调无法启动，请尽快处理。"
    )
    body = page_client_for("agent").get(reverse("workorders:list"), {"queue": "callback"}).content.decode()
    row = re.search(rf'<tr[^>]*data-order="{order.pk}">(.*?)</tr>', body, re.S).group(1)
    # the agent calls back: the rules show agents the number in full (selectors.contact_visible)
    assert '<td class="text-nowrap" data-testid="phone">13900004321</td>' in row
    assert "家里电压长期偏低" in row and 'data-testid="snippet"' in row


def test_a_list_row_masks_the_phone_for_whom_the_rules_mask_it(build, users):
    # a handler who no longer handles the order sees the number masked (the same helper as the API)
    from workorders.views import _decorate

    order = build.order("closed", phone="13900004322")
    order = WorkOrder.objects.select_related("complaint").get(pk=order.pk)
    [row] = _decorate([order], timezone.now(), users["handler2"], phones=True)
    assert row.phone_shown == "139****4322"


def test_the_general_list_shows_no_phone_column(build, page_client_for):
    build.order("callback", phone="13900004323")
    body = page_client_for("agent").get(reverse("workorders:list")).content.decode()
    assert 'data-testid="phone"' not in body and 'data-testid="snippet"' in body


# --- after an action --------------------------------------------------------------------------------


def test_an_action_asks_the_queue_badges_to_refresh(build, page_client_for):
    order = build.order("processing", stage="assigned")
    client = page_client_for("handler2")
    response = client.post(
        reverse("workorders:act", args=[order.pk, "accept"]),
        {"version": order.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="order-detail",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "queues-changed"
    # and the badges, fetched alone, count the order in "in progress" now
    nav = client.get(reverse("workorders:queue-nav"), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="queues-changed from:body"' in nav
    assert re.search(r'data-queue="in_progress">[^<]*<span class="badge[^"]*">1</span>', nav)
    assert re.search(r'data-queue="new">[^<]*<span class="badge[^"]*">0</span>', nav)


def test_next_in_queue_after_an_order_leaves_the_queue(build, page_client_for):
    # given two new orders for handler2's department
    first = build.order("processing", stage="assigned")
    second = build.order("processing", stage="assigned")
    client = page_client_for("handler2")

    # when the handler accepts the first (it leaves "New") and follows the redirect
    response = client.post(
        reverse("workorders:act", args=[first.pk, "accept"]), {"version": first.version}, follow=True
    )

    # then the order's page offers the next new order
    body = response.content.decode()
    assert 'data-testid="next-in-queue"' in body
    assert reverse("workorders:detail", args=[second.pk]) in body
    # ... once: a reload no longer shows it
    again = client.get(reverse("workorders:detail", args=[first.pk])).content.decode()
    assert 'data-testid="next-in-queue"' not in again


def test_next_in_queue_through_htmx_and_none_when_the_order_stays(build, page_client_for):
    order = build.order("processing", stage="accepted")
    client = page_client_for("handler2")
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "order-detail"}
    # a contact keeps the order in "in progress": nothing to move on to
    response = client.post(
        reverse("workorders:act", args=[order.pk, "contact"]),
        {"version": order.version, "method": "phone"},
        **headers,
    )
    assert response.status_code == 200 and 'data-testid="next-in-queue"' not in response.content.decode()


# --- the dispatcher's aids ---------------------------------------------------------------------------


def test_the_suggested_department_is_the_most_frequent_of_the_last_90_days(build, depts):
    # given orders of the same supply unit and category: two went to 营销部, one to 运检部, and
    # three older than 90 days to 建设部
    for code in ("BJ-YX", "BJ-YX", "BJ-YJ", "BJ-JS", "BJ-JS", "BJ-JS"):
        build.order("processing", stage="assigned", department=code)
    old = Assignment.objects.filter(department=depts["BJ-JS"])
    old.update(assigned_at=timezone.now() - timedelta(days=91))
    order = build.order("assignment")

    # when the suggestion is asked for the new order's unit and category
    found = department_suggestion(unit_id=order.unit_id, category_id=order.category_id)

    # then the most frequent recent department, with its count
    assert found["department"] == depts["BJ-YX"] and found["count"] == 2
    # another category has no history: no suggestion
    assert department_suggestion(unit_id=order.unit_id, category_id=order.category_id + 999) is None


def test_the_suggestion_is_shown_never_applied(build, depts, page_client_for):
    build.order("processing", stage="assigned", department="BJ-YX")
    order = build.order("assignment")
    body = page_client_for("dispatcher").get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="dept-suggestion"' in body and "市场营销部" in body
    assert f'data-suggest-department="{depts["BJ-YX"].pk}"' in body
    # the assign form's department starts empty: the dispatcher decides
    assign = re.search(r'data-action="assign".*?</details>', body, re.S).group(0)
    assert " selected" not in re.search(r'<select[^>]*name="department".*?</select>', assign, re.S).group(0)
    # the handlers per department, for the handler list to follow the department
    handlers = json.loads(re.search(r'id="assign-handlers"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert [label for _pk, label in handlers[str(depts["BJ-YJ"].pk)]] == ["刘强（运检部） · 运维检修部"]


def test_handlers_per_department_include_the_teams_below(users, depts):
    table = handlers_by_department(users["dispatcher"])
    assert [pk for pk, _label in table[str(depts["BJ-CD"].pk)]] == [str(users["handler3"].pk)]
    assert str(users["handler2"].pk) not in [pk for pk, _label in table[str(depts["BJ-YX"].pk)]]
    root = {pk for pk, _label in table[str(depts["BJ"].pk)]}
    assert {str(users[h].pk) for h in ("handler", "handler2", "handler3")} <= root


def test_bulk_assign_assigns_each_order_and_names_the_refused(build, depts, page_client_for):
    # given three orders waiting, one of them changed since the dispatcher saw it
    a, b, stale = (build.order("assignment") for _ in range(3))
    client = page_client_for("dispatcher", "en")
    page = client.get(reverse("workorders:list"), {"queue": "assign"}).content.decode()
    assert 'data-testid="bulk-assign"' in page and f'name="version_{a.pk}"' in page
    build.do(stale, "urge", "agent", comment="催办")  # its version moves on

    # when the dispatcher assigns the three at once to 运检部
    response = client.post(
        reverse("workorders:bulk-assign"),
        {
            "ids": [a.pk, b.pk, stale.pk],
            "department": depts["BJ-YJ"].pk,
            "queue": "assign",
            **{f"version_{o.pk}": o.version for o in (a, b, stale)},
        },
        follow=True,
    )

    # then two are assigned, the stale one is not, and the page says which
    assert {o.pk: WorkOrder.objects.get(pk=o.pk).status for o in (a, b, stale)} == {
        a.pk: "processing",
        b.pk: "processing",
        stale.pk: "assignment",
    }
    body = response.content.decode()
    assert a.tracking_no in body and b.tracking_no in body
    assert f"{stale.tracking_no} not assigned: " in body
    assert WorkOrder.objects.get(pk=a.pk).department == depts["BJ-YJ"]


def test_bulk_assign_is_refused_to_whom_may_not_assign(build, depts, page_client_for):
    order = build.order("assignment")
    page_client_for("agent").post(
        reverse("workorders:bulk-assign"),
        {"ids": [order.pk], "department": depts["BJ-YJ"].pk, f"version_{order.pk}": order.version},
    )
    assert WorkOrder.objects.get(pk=order.pk).status == "assignment"


def test_the_assign_queue_offers_bulk_assignment_only_to_dispatchers(build, page_client_for):
    build.order("assignment")
    body = page_client_for("dispatcher").get(reverse("workorders:list")).content.decode()
    assert 'data-testid="bulk-assign"' not in body  # the general list: no bulk form
