"""The statistics and export API: design.md field names, scope, and the Excel file's rows."""

import io

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from workorders.models import ExportJob, WorkOrder
from workorders.selectors import workorders_visible_to

pytestmark = pytest.mark.django_db

SUMMARY_FIELDS = {
    "received",
    "open",
    "closed",
    "merged",
    "dismissed",
    "overdue",
    "on_time_rate",
    "satisfaction_rate",
    "first_callback_satisfaction_rate",
    "repeat_rate",
    "truthfulness_rate",
}


def test_summary_has_the_contract_fields_and_is_scoped(dataset, api_client_for, users, cd_supervisor):
    body = api_client_for("manager").get("/api/v1/stats/summary/").json()
    assert SUMMARY_FIELDS <= set(body)
    assert (body["received"], body["merged"], body["dismissed"]) == (7, 1, 1)
    for name in (
        "on_time_rate",
        "satisfaction_rate",
        "first_callback_satisfaction_rate",
        "repeat_rate",
        "truthfulness_rate",
    ):
        assert body[name] is None or 0 <= body[name] <= 1
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(cd_supervisor)
    assert client.get("/api/v1/stats/summary/").json()["received"] == 1
    d1, d2, d3 = dataset["days"]
    ranged = (
        api_client_for("manager")
        .get(f"/api/v1/stats/summary/?date_from={d2}&date_to={d2}&channel=wechat")
        .json()
    )
    # The one WeChat order of d2 (C) was merged: a merged duplicate, not a complaint received.
    assert (ranged["received"], ranged["closed"], ranged["merged"]) == (0, 0, 1)


def test_summary_refuses_handlers_and_bad_input(dataset, api_client_for):
    response = api_client_for("handler").get("/api/v1/stats/summary/")
    assert response.status_code == 403 and "code" in response.json()
    bad = api_client_for("manager").get("/api/v1/stats/summary/?date_from=2026-02-30")
    assert bad.status_code == 400 and "date_from" in str(bad.json())


def test_pivot_contract(dataset, api_client_for):
    body = api_client_for("manager").get("/api/v1/stats/pivot/?rows=unit&cols=channel&measure=count").json()
    assert {"rows", "cols", "cells", "row_totals", "col_totals", "total"} <= set(body)
    assert body["total"] == 7 and len(body["cells"]) == len(body["rows"]) == len(body["row_totals"])
    assert all(len(r) == len(body["cols"]) for r in body["cells"])
    assert api_client_for("manager").get("/api/v1/stats/pivot/?rows=nonsense").status_code == 400


def read_rows(job):
    job.refresh_from_db()
    with job.file.open("rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    return rows[0], rows[1:]


@override_settings(CELERY_TASK_ALWAYS_EAGER=True, EXPORT_CHUNK_SIZE=2)
def test_export_through_the_api_holds_exactly_the_filtered_rows(
    dataset, api_client_for, users, django_capture_on_commit_callbacks
):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        api = api_client_for("manager")
        with django_capture_on_commit_callbacks(execute=True):
            created = api.post(
                "/api/v1/exports/", {"status": ["closed"], "channel": ["phone_95598"]}, format="json"
            )
        assert created.status_code == 202
        assert {"id", "status", "progress"} <= set(created.json())
        polled = api.get(f"/api/v1/exports/{created.json()['id']}/").json()
        assert polled["status"] == "done" and polled["progress"] == 100 and polled["download_url"]
        header, rows = read_rows(ExportJob.objects.get(pk=polled["id"]))
        expected = workorders_visible_to(users["manager"]).filter(status="closed", channel="phone_95598")
        assert sorted(r[0] for r in rows) == sorted(expected.values_list("tracking_no", flat=True))
        assert len(rows) == expected.count() == 3
        download = api.get(polled["download_url"])
        assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
        # Another user cannot read it.
        assert api_client_for("supervisor").get(f"/api/v1/exports/{polled['id']}/").status_code == 404
    finally:
        app.conf.task_always_eager = False


def test_export_of_a_handler_masks_contacts_of_closed_orders(dataset, users, depts):
    from workorders.stats.exports import export_build

    job = ExportJob.objects.create(user=users["handler2"], filters={})
    export_build(job.pk)
    header, rows = read_rows(job)
    visible = workorders_visible_to(users["handler2"])
    assert len(rows) == visible.count() > 0
    phone = header.index("Phone") if "Phone" in header else 10
    closed = set(visible.filter(status="closed").values_list("tracking_no", flat=True))
    assert all(r[phone] == "***" for r in rows if r[0] in closed)


def test_export_of_many_rows_without_cap(users, depts):
    """More rows than any page or chunk: all of them are written."""
    from complaints.models import Complaint, Customer
    from workorders.stats.exports import export_build

    customer = Customer.objects.create(phone="13911112222", name="x", supply_unit=depts["BJ"])
    for i in range(120):
        complaint = Complaint.objects.create(
            channel="phone_95598",
            customer=customer,
            address="a",
            content="c",
            demand="d",
            tracking_no=f"T{i:06d}",
        )
        WorkOrder.objects.create(
            complaint=complaint,
            tracking_no=complaint.tracking_no,
            channel="phone_95598",
            customer=customer,
            unit=depts["BJ"],
        )
    job = ExportJob.objects.create(user=users["manager"], filters={})
    with override_settings(EXPORT_CHUNK_SIZE=7):
        export_build(job.pk)
    _header, rows = read_rows(job)
    assert len(rows) == 120 and job.written == 120 and job.progress == 100


def test_openapi_schema_lists_the_endpoints(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()  # the schema needs a login
    for path in (
        "/api/v1/stats/summary/",
        "/api/v1/stats/pivot/",
        "/api/v1/exports/",
        "/api/v1/exports/{id}/",
    ):
        assert path in schema["paths"], path
    props = schema["components"]["schemas"]["Summary"]["properties"]
    assert SUMMARY_FIELDS <= set(props)
