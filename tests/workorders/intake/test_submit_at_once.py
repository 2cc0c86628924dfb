"""Intake writes a complaint's order already submitted (one write, one batch of hooks). What it
leaves must be exactly what a draft followed by the ``submit`` action leaves: the same state and
version, the same events, deadline rows, notifications and figures."""

import pytest
from django.utils import timezone

from notifications.models import Message, Notification
from tests.builders import intake_body
from workorders.models import Deadline, StatsDaily, StatsOpen, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db


def trail(order: WorkOrder) -> dict:
    events = WorkOrderEvent.objects.filter(order=order).order_by("id")
    return {
        "state": (order.status, order.version, order.level),
        "events": [(e.action, e.from_status, e.to_status, e.version, e.actor_id) for e in events],
        "deadlines": sorted(
            (d.stage, d.cycle, d.due_at - order.received_at, d.met_at is None)
            for d in Deadline.objects.filter(order=order)
        ),
        "messages": sorted(Message.objects.filter(order=order).values_list("event_type", flat=True)),
        "inbox": Notification.objects.filter(order=order).count(),
    }


def figures() -> tuple:
    daily = StatsDaily.objects.values_list("received", "open")
    opened = StatsOpen.objects.values_list("status", "count")
    return sorted(daily), sorted(opened)


def test_an_intake_leaves_what_a_draft_and_its_submit_leave(build, api_client_for):
    now = timezone.now()
    body = {"phone": "13900000901", "account_no": "3300000901"}
    draft = build.register(now, draft=True, **body)
    submitted = build.do(draft, "submit", "agent", at=now)
    before = figures()

    response = api_client_for("agent").post(
        "/api/v1/complaints/", intake_body(phone="13900000902", account_no="3300000902"), format="json"
    )
    assert response.status_code == 201, response.json()
    direct = WorkOrder.objects.get(pk=response.json()["workorder"]["id"])

    one, other = trail(submitted), trail(direct)
    assert other["state"] == one["state"] == ("classification", 2, one["state"][2])
    assert (
        [e[:4] for e in other["events"]]
        == [e[:4] for e in one["events"]]
        == [
            ("create", "", "intake", 1),
            ("submit", "intake", "classification", 2),
        ]
    )
    assert [d[:2] for d in other["deadlines"]] == [d[:2] for d in one["deadlines"]]
    assert other["messages"] == one["messages"] and other["inbox"] == one["inbox"]
    # the figures moved by one received, open order in classification, as for the first
    daily, opened = figures()
    assert sum(r for r, _o in daily) == sum(r for r, _o in before[0]) + 1
    assert dict(opened)["classification"] == dict(before[1])["classification"] + 1


def test_an_incomplete_complaint_is_refused_before_anything_is_written(api_client_for):
    counts = (WorkOrder.objects.count(), WorkOrderEvent.objects.count())
    response = api_client_for("agent").post(
        "/api/v1/complaints/",
        intake_body(phone="13900000903", account_no="3300000903", demand="  "),
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "demand" in response.json()
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count()) == counts
