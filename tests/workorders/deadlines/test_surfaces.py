"""What people see: the commands, the order's API, the health check and the administrators' warning."""

import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from workorders.models import WorkOrderEvent

from .conftest import sh

pytestmark = pytest.mark.django_db


def test_deadline_preview_prints_the_deadlines_of_an_order_received_then():
    out = StringIO()
    call_command(
        "deadline_preview",
        "--level",
        "general",
        "--category",
        "040101",
        "--at",
        "2024-09-30T10:00:00+08:00",
        stdout=out,
    )
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()[2:]}
    assert "2024-10-11 23:59:59" in lines["reply"]  # after the National Day holiday
    assert "2024-09-30 10:30:00" in lines["dispatch"]
    assert "2024-10-18 23:59:59" in lines["regulatory"]


def test_deadline_preview_flags_a_year_the_calendar_lacks():
    out = StringIO()
    call_command(
        "deadline_preview",
        "--level",
        "general",
        "--category",
        "040101",
        "--at",
        "2026-12-30T10:00",
        stdout=out,
    )
    reply = [line for line in out.getvalue().splitlines() if line.startswith("reply")][0]
    assert "2027-01-05 23:59:59" in reply and "provisional" in reply


def test_sweep_deadlines_command_sweeps_as_of_the_given_time(build):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify(order, sh(2025, 3, 3, 10, 5))
    out = StringIO()
    call_command("sweep_deadlines", "--at", "2025-03-03T10:25:00+08:00", stdout=out)
    result = json.loads(out.getvalue())
    assert result["warnings"] == 1 and result["breaches"] == 0  # the dispatch reminder (75 % of 30 min)
    assert WorkOrderEvent.objects.get(order=order, action="deadline_warning").payload["stage"] == "dispatch"
    call_command("sweep_deadlines", "--at", "2025-03-03T10:25:00+08:00", stdout=StringIO())
    assert WorkOrderEvent.objects.filter(order=order, action="deadline_warning").count() == 1


def test_order_api_shows_each_deadline_and_the_time_left(build, api_client_for):
    order = build.register(sh(2025, 3, 3, 10, 0))
    build.classify_and_assign(order, sh(2025, 3, 3, 10, 5))
    with time_machine.travel(sh(2025, 3, 7, 12, 0), tick=False):
        body = api_client_for("supervisor").get(f"/api/v1/workorders/{order.pk}/").json()
    by_stage = {d["stage"]: d for d in body["deadlines"]}
    reply = by_stage["reply"]
    assert reply["due_at"] == "2025-03-07T23:59:59+08:00"
    assert reply["seconds_left"] == 12 * 3600 - 1 and reply["state"] == "warning"
    assert {"warn_at", "warned_at", "breached_at", "met_at", "paused_seconds"} <= set(reply)
    assert by_stage["dispatch"]["state"] == "met" and by_stage["dispatch"]["seconds_taken"] == 300
    assert by_stage["contact"]["state"] == "breached" and by_stage["contact"]["seconds_left"] < 0


def test_order_list_loads_deadlines_in_one_query_per_page(
    build, api_client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_client_for("supervisor")
    first = build.register(sh(2025, 3, 3, 10, 0))
    build.classify(first, sh(2025, 3, 3, 10, 5))
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/api/v1/workorders/").json()["results"][0]["deadlines"]) == 5
    for i in range(4):
        order = build.register(sh(2025, 3, 3, 11, i), phone=f"1391111000{i}", account_no=f"330999999{i}")
        build.classify(order, sh(2025, 3, 3, 11, 10))
    with CaptureQueriesContext(connection) as five:
        results = api.get("/api/v1/workorders/").json()["results"]
    assert len(results) == 5 and all(len(r["deadlines"]) == 5 for r in results)
    deadline_queries = [q for q in five.captured_queries if "workorders_deadline" in q["sql"]]
    assert len(deadline_queries) == 1
    assert len([q for q in one.captured_queries if "workorders_deadline" in q["sql"]]) == 1
    assert len(five.captured_queries) <= len(one.captured_queries)  # the page costs the same with 5 orders


def test_healthz_reports_calendar_coverage(client):
    with time_machine.travel(sh(2026, 12, 5, 9, 0), tick=False):
        body = client.get("/healthz").json()
    assert body["calendar"]["missing_years"] == [2027] and body["calendar"]["ok"] is False
    assert body["calendar"]["years"][0] == 2004
    with time_machine.travel(sh(2026, 6, 5, 9, 0), tick=False):
        assert client.get("/healthz").json()["calendar"]["ok"] is True


def test_administrators_are_warned_on_their_home_page(client, users):
    with time_machine.travel(sh(2026, 12, 5, 9, 0), tick=False):
        client.force_login(users["admin"])
        page = client.get("/").content.decode()
    assert 'data-testid="calendar-warning"' in page and "2027" in page
    with time_machine.travel(sh(2026, 12, 5, 9, 0), tick=False):
        client.force_login(users["agent"])
        assert 'data-testid="calendar-warning"' not in client.get("/").content.decode()


def test_provisional_deadlines_are_counted_for_administrators(build, client):
    order = build.register(sh(2026, 12, 30, 10, 0))
    build.classify(order, sh(2026, 12, 30, 10, 5))
    assert order.deadlines.get(stage="reply").provisional
    with time_machine.travel(sh(2026, 12, 30, 11, 0), tick=False):
        assert (
            client.get("/healthz").json()["calendar"]["provisional_open_deadlines"] == 3
        )  # reply, overall, regulatory


@pytest.mark.parametrize(
    "model",
    [
        "slapolicy",
        "channellimit",
        "workcalendaryear",
        "workcalendarday",
        "workingperiod",
        "deadline",
        "ordersla",
    ],
)
def test_admin_lists_the_deadline_models(client, users, model):
    client.force_login(users["admin"])
    assert client.get(f"/admin/workorders/{model}/").status_code == 200


def test_admin_edits_an_sla_policy(client, users):
    from workorders.models import SlaPolicy

    client.force_login(users["admin"])
    policy = SlaPolicy.objects.get(level="general", category=None)
    assert client.get(f"/admin/workorders/slapolicy/{policy.pk}/change/").status_code == 200
