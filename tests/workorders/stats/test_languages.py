"""Every label of the pivot, the reports, the exports and the dashboard speaks the reader's language
(issue 11, item 9): English when the request asks for it, Chinese otherwise. Both languages run in one
process, so a label fixed in the language active when its module was imported would fail one of them."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from workorders.stats.reports import report_generate

pytestmark = pytest.mark.django_db

PIVOT = "/dashboard/pivot/?rows=level&cols=channel&measure=count"
EN, ZH = "en", "zh-hans"
WORDS = {
    # (measure, a row, a column, the rows dimension, the total)
    EN: ("Count", "General", "95598 phone", "Level", "Total"),
    ZH: ("数量", "一般", "95598 电话", "级别", "合计"),
}


def workbook(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def rows_of(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("language", [EN, ZH])
def test_the_pivot_page_and_its_workbook_speak_the_readers_language(dataset, page_client_for, language):
    measure, row, col, dimension, total = WORDS[language]
    client = page_client_for("manager", language)

    page = client.get(PIVOT)
    html = page.content.decode()
    result = page.context["result"]
    assert result["measure_label"] == measure
    assert row in [r["label"] for r in result["rows"]] and col in [c["label"] for c in result["cols"]]
    assert f"<thead><tr><th>{measure}</th>" in html and f"<th>{row}</th>" in html
    assert re.search(rf'<option value="level" selected>{dimension}</option>', html)

    sheet = workbook(client.get(PIVOT + "&format=xlsx")).active
    header, *lines = rows_of(sheet)
    assert header[0] == measure and col in header and header[-1] == total
    assert row in [line[0] for line in lines] and lines[-1][0] == total
    assert sheet.title == ("Pivot" if language == EN else "多维分析")


@pytest.mark.parametrize("language, expected", [(EN, ("Count", "General")), ("zh-hans", ("数量", "一般"))])
def test_the_pivot_api_speaks_the_accept_language(dataset, api_client_for, language, expected):
    body = api_client_for("manager", language=language).get("/api/v1/stats/pivot/?rows=level").json()
    assert body["measure_label"] == expected[0] and expected[1] in [r["label"] for r in body["rows"]]


@pytest.fixture
def report(dataset, depts):
    d3 = dataset["days"][2]
    return report_generate(kind="weekly", today=d3 + dt.timedelta(days=7 - d3.weekday()), company=depts["BJ"])


def test_a_report_workbook_is_written_in_the_readers_language(report, page_client_for):
    english = workbook(page_client_for("manager", EN).get(f"/reports/{report.pk}/download/"))
    assert english.sheetnames[:5] == ["Summary", "By unit", "By category", "By level", "By channel"]
    summary = rows_of(english["Summary"])
    assert "Weekly bulletin" in summary[0][0] and summary[2] == ["Figure", "This period", "Previous period"]
    assert [r[0] for r in summary[3:5]] == ["Received", "Closed"]
    assert "General" in [r[0] for r in rows_of(english["By level"])[1:]]
    overdue = rows_of(english["Overdue orders"])
    assert overdue[0][:3] == ["Tracking number", "Received at", "Status"] and overdue[1][2] == "Processing"

    chinese = workbook(page_client_for("manager", ZH).get(f"/reports/{report.pk}/download/"))
    assert chinese.sheetnames[:5] == ["汇总", "按单位", "按分类", "按级别", "按渠道"]
    summary = rows_of(chinese["汇总"])
    assert "周通报" in summary[0][0] and summary[2][0] == "指标" and summary[3][0] == "受理量"
    assert "一般" in [r[0] for r in rows_of(chinese["按级别"])[1:]]
    assert rows_of(chinese["超期工单"])[1][2] == "处理中"


def test_a_report_page_is_shown_in_the_readers_language(report, page_client_for):
    english = page_client_for("manager", EN).get(f"/reports/{report.pk}/").content.decode()
    assert "Weekly bulletin" in english and "<td>General</td>" in english and "<td>Processing</td>" in english
    assert "周通报" not in english and "<td>一般</td>" not in english
    listed = page_client_for("manager", EN).get("/reports/").content.decode()
    assert "Weekly bulletin" in listed
    chinese = page_client_for("manager", ZH).get(f"/reports/{report.pk}/?print=1").content.decode()
    assert report.title in chinese and "<td>一般</td>" in chinese and "<td>处理中</td>" in chinese


@pytest.mark.parametrize(
    "language, first, status, closed",
    [(EN, "Tracking number", "Status", "Closed"), (ZH, "工单编号", "状态", "已办结")],
)
def test_an_export_is_written_in_the_language_of_the_request_that_started_it(
    dataset, page_client_for, django_capture_on_commit_callbacks, language, first, status, closed
):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        client = page_client_for("manager", language)
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post("/exports/new/", {"status": "closed"})
        state = client.get(started["Location"] + "?format=json").json()
        header, *orders = rows_of(workbook(client.get(state["download_url"])).active)
    finally:
        app.conf.task_always_eager = False
    assert header[0] == first and orders and all(o[header.index(status)] == closed for o in orders)


def test_the_dashboard_figures_speak_the_readers_language(dataset, page_client_for):
    english = page_client_for("manager", EN).get("/dashboard/").context
    charts = english["charts"]
    assert [s["name"] for s in charts["stage_on_time"]] == [
        "Dispatch",
        "First contact",
        "Reply",
        "Review",
        "Callback",
    ]
    assert charts["labels"] == {"received": "Received", "closed": "Closed"}
    assert [p["label"] for p in english["d"]["periods"]] == ["Today", "This week", "This month"]

    chinese = page_client_for("manager", ZH).get("/dashboard/").context
    charts = chinese["charts"]
    names = [s["name"] for s in charts["stage_on_time"]]
    assert names[:3] == ["派单", "首次联系", "答复"]
    # the review and callback stages, not the statuses of the same English name (待审核, 待回访)
    assert "待审核" not in names and "待回访" not in names
    assert charts["labels"] == {"received": "受理量", "closed": "已办结"}
    assert chinese["d"]["periods"][0]["label"] == "今日"
