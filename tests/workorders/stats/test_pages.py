"""The dashboard, pivot, report and export pages (server side)."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from workorders.models import Report, ReportSubscription
from workorders.stats.reports import report_generate, report_period, report_send

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_dashboard_renders_figures_and_drill_down_links(dataset, users, client):
    page = login(client, users["manager"]).get("/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'id="chart-trend"' in html and "vendor/echarts/echarts.min.js" in html and 'id="stats-charts"' in html
    )
    d = page.context["d"]
    assert d["overdue_link"].startswith("/orders/?") and "overdue=true" in d["overdue_link"]
    for stage in d["open_stages"]:
        assert parse_qs(urlparse(stage["link"]).query)["status"] == [stage["status"]]
    assert all(r["link"].startswith("/orders/?") for r in d["ranking"])


def test_dashboard_filters_and_access(dataset, users, client, depts):
    assert login(client, users["handler"]).get("/dashboard/").status_code == 403
    client.logout()
    assert client.get("/dashboard/").status_code == 302
    page = login(client, users["supervisor"]).get(
        f"/dashboard/?channel=wechat&department={depts['BJ-YX'].pk}"
    )
    assert page.status_code == 200 and page.context["d"]["totals"]["received"] == 0
    page = client.get("/dashboard/?channel=wechat")
    # The one WeChat order (C) was merged: not a complaint received, a merged duplicate.
    totals = page.context["d"]["totals"]
    assert (totals["received"], totals["merged"], totals["dismissed"]) == (0, 1, 0)
    assert totals["first_callback_satisfaction_rate"] is None
    totals = client.get("/dashboard/").context["d"]["totals"]
    assert (totals["received"], totals["merged"], totals["dismissed"]) == (7, 1, 1)
    assert totals["first_callback_satisfaction_rate"] == round(2 / 3, 4)


def test_pivot_page_and_excel(dataset, users, client):
    login(client, users["manager"])
    page = client.get("/dashboard/pivot/?rows=category1&cols=level&measure=count")
    assert page.status_code == 200 and page.context["result"]["total"] == 7  # merged, dismissed: not in
    xlsx = client.get("/dashboard/pivot/?rows=category1&cols=level&measure=count&format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[-1][-1] == 7 and len(rows) == len(page.context["result"]["rows"]) + 2
    merged = client.get("/dashboard/pivot/?rows=channel&measure=merged")
    assert merged.status_code == 200 and merged.context["result"]["total"] == 1


def test_report_generated_viewable_downloadable_and_mailed_once(dataset, users, client, mailoutbox, depts):

    d1, d2, d3 = dataset["days"]
    ReportSubscription.objects.create(user=users["manager"], kind="weekly")
    report = report_generate(
        kind="weekly", today=d3 + dt.timedelta(days=7 - d3.weekday()), company=depts["BJ"]
    )
    start, end = report_period("weekly", d3 + dt.timedelta(days=7 - d3.weekday()))
    assert report.period_start == start and (end - start).days == 6
    from workorders.stats.reads import StatsFilter, stats_summary

    assert (
        report.data["summary"]["received"] == stats_summary(depts["BJ"], StatsFilter(start, end))["received"]
    )
    assert report_send(report.pk) == 1 and report_send(report.pk) == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["manager@example.com"]
    assert mailoutbox[0].attachments[0][1][:2] == b"PK"
    login(client, users["manager"])
    assert client.get("/reports/").status_code == 200
    detail = client.get(f"/reports/{report.pk}/")
    assert detail.status_code == 200 and report.title in detail.content.decode()
    printable = client.get(f"/reports/{report.pk}/?print=1").content.decode()
    assert 'data-action="print"' in printable and "js/app.js" in printable
    wb = load_workbook(io.BytesIO(b"".join(client.get(f"/reports/{report.pk}/download/").streaming_content)))
    assert len(wb.sheetnames) >= 6
    # Generating again changes nothing.
    assert (
        report_generate(kind="weekly", today=d3 + dt.timedelta(days=7 - d3.weekday()), company=depts["BJ"]).pk
        == report.pk
        and Report.objects.count() == 1
    )


def test_export_pages(dataset, users, client, settings, django_capture_on_commit_callbacks):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        login(client, users["manager"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/exports/new/", {"status": "closed"})
        assert response.status_code == 302
        progress = client.get(response["Location"])
        assert progress.status_code == 200 and 'role="progressbar"' in progress.content.decode()
        state = client.get(response["Location"] + "?format=json").json()
        assert state["status"] == "done" and state["progress"] == 100
        assert client.get(state["download_url"]).status_code == 200
        assert client.get("/exports/?status=closed").status_code == 200
    finally:
        app.conf.task_always_eager = False


def test_pivot_page_explains_an_unsupported_combination(dataset, users, client):
    login(client, users["manager"])
    page = client.get("/dashboard/pivot/?rows=truthfulness&cols=satisfaction&measure=count")
    assert page.status_code == 200 and page.context["result"] is None
    assert "alert-warning" in page.content.decode()


def test_subscribing_and_report_scope(dataset, users, client, depts, cd_supervisor, mailoutbox):
    login(client, users["manager"])
    client.post("/reports/subscribe/", {"kind": "daily", "active": "1"})
    assert ReportSubscription.objects.get(user=users["manager"], kind="daily").is_active
    ReportSubscription.objects.create(user=cd_supervisor, kind="daily")
    report = report_generate(
        kind="daily", today=dataset["days"][2] + dt.timedelta(days=1), company=depts["BJ"]
    )
    assert report_send(report.pk) == 1 and mailoutbox[0].to == [
        "manager@example.com"
    ]  # not the unit's supervisor
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    client.force_login(cd_supervisor)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    client.force_login(users["manager"])
    client.post("/reports/subscribe/", {"kind": "daily", "active": "0"})
    assert not ReportSubscription.objects.get(user=users["manager"], kind="daily").is_active


def test_a_drill_down_link_opens_the_filtered_order_list(client, users):
    """The dashboard's links use the list page's own filter names: following one filters the list."""
    from workorders.stats.views import order_list_url

    client.force_login(users["supervisor"])
    response = client.get(order_list_url({"overdue": "true", "level": "major"}))
    assert response.status_code == 200


def test_report_labels_speak_the_readers_language_and_rates_are_percentages(
    dataset, users, depts, page_client_for
):
    d3 = dataset["days"][2]
    report = report_generate(
        kind="weekly", today=d3 + dt.timedelta(days=7 - d3.weekday()), company=depts["BJ"]
    )
    rate = report.data["summary"]["on_time_rate"]
    assert rate is not None
    shown = f"{rate * 100:.1f}%"
    zh = page_client_for("manager").get(f"/reports/{report.pk}/").content.decode()
    # a count is 受理量 (not 受理时间, the time column of the lists); the 90th percentile is translated
    assert "<tr><td>受理量</td>" in zh and "<tr><td>受理时间</td>" not in zh and "90分位处理时长" in zh
    assert shown in zh and f">{rate}<" not in zh
    en = page_client_for("manager", language="en").get(f"/reports/{report.pk}/").content.decode()
    assert "90th percentile handling time (hours)" in en and shown in en
