"""The outage API contract (design.md, second stage)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from workorders.models import WorkOrderEvent
from workorders.outages.models import OutageEvent, OutageLink

pytestmark = pytest.mark.django_db


def test_the_distribution_system_posts_an_outage_once(api_client_for):
    # given
    api = api_client_for("dispatcher")
    now = timezone.now()
    body = {
        "area": "幸福路,光明街",
        "started_at": now.isoformat(),
        "expected_restore_at": (now + timedelta(hours=3)).isoformat(),
        "cause": "10kV线路故障",
        "external_ref": "DMS-2026-001",
    }
    # when
    first = api.post("/api/v1/outages/", body, format="json")
    again = api.post("/api/v1/outages/", body, format="json")
    # then
    assert first.status_code == 201, first.content
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    data = first.json()
    assert {"id", "area", "started_at", "expected_restore_at", "cause", "source", "linked_count"} <= set(data)
    assert data["source"] == "api"
    assert OutageEvent.objects.count() == 1


def test_a_handler_may_not_post_an_outage(api_client_for):
    response = api_client_for("handler2").post(
        "/api/v1/outages/", {"area": "幸福路", "started_at": timezone.now().isoformat()}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_bad_outage_input_is_400_with_field_errors(api_client_for):
    response = api_client_for("dispatcher").post("/api/v1/outages/", {"area": ""}, format="json")
    assert response.status_code == 400
    assert "started_at" in str(response.json())


def test_link_then_bulk_assign_with_an_idempotency_key(api_client_for, build, depts, outage):
    # given
    api = api_client_for("dispatcher")
    orders = [build.order("assignment", address=f"幸福路{i}号", content="停电") for i in range(3)]
    ids = [o.pk for o in orders]
    # when: linked twice
    linked = api.post(f"/api/v1/outages/{outage.pk}/link/", {"orders": ids}, format="json")
    again = api.post(f"/api/v1/outages/{outage.pk}/link/", {"orders": ids}, format="json")
    # then
    assert linked.status_code == 200 and sorted(linked.json()["linked"]) == sorted(ids)
    assert again.json()["linked"] == [] and sorted(again.json()["already"]) == sorted(ids)
    # when: one bulk assign, sent twice with the same key
    url = f"/api/v1/outages/{outage.pk}/bulk/assign/"
    body = {"department": depts["BJ-CD"].pk}
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    repeat = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    # then
    assert first.status_code == 200, first.content
    assert sorted(r["id"] for r in first.json()["succeeded"]) == sorted(ids)
    assert first.json()["refused"] == []
    assert repeat.json() == first.json() and repeat.headers["Idempotent-Replayed"] == "true"
    assert WorkOrderEvent.objects.filter(order__in=ids, action="assign").count() == 3
    detail = api.get(f"/api/v1/outages/{outage.pk}/").json()
    assert detail["linked_count"] == 3 and sorted(detail["orders"]) == sorted(ids)


def test_bulk_unknown_action_is_refused(api_client_for, outage):
    response = api_client_for("dispatcher").post(
        f"/api/v1/outages/{outage.pk}/bulk/delete/", {}, format="json"
    )
    assert response.status_code in (400, 404, 409)
    assert response.json()["code"] == "unknown_action"


def test_a_handler_sees_only_its_departments_orders_of_an_outage(api_client_for, build, users, outage):
    mine = build.order("processing", address="幸福路1号", content="停电")
    theirs = build.order(
        "processing", department="BJ-YX", handler="handler", address="幸福路2号", content="停电"
    )
    for order in (mine, theirs):
        OutageLink.objects.create(outage=outage, order=order, linked_at=timezone.now(), confirmed=True)
    detail = api_client_for("handler2").get(f"/api/v1/outages/{outage.pk}/").json()
    assert detail["orders"] == [mine.pk] and detail["linked_count"] == 1


def test_the_schema_has_the_outage_endpoints(api_client_for):
    response = api_client_for("admin").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"] if response["Content-Type"].startswith("application/json") else None
    text = str(paths) if paths is not None else response.content.decode()
    for path in ("/api/v1/outages/", "/api/v1/outages/{id}/link/", "/api/v1/outages/{id}/bulk/{action}/"):
        assert path in text
