"""Lists and exports (issue 14, item 7): the list's active filters as chips that survive refining,
its Excel export of exactly the filtered rows, the export page's filters in words and live status,
是/否 in the workbook, the pivot's percentages, single 合计 column, heading and file name, and the
reports page's "generate now" and subscription messages."""

import io
import re
from urllib.parse import parse_qs, unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from workorders.models import ExportJob, Report
from workorders.stats.exports import export_build
from workorders.stats.reports import report_period

pytestmark = pytest.mark.django_db


def order_rows(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr[^>]*data-order="(\d+)"', body)]


def chips(body: str) -> dict[str, str]:
    """name → the chip's text."""
    found = re.findall(
        r'<a class="filter-chip[^"]*" href="\?([^"]*)" data-chip="(\w+)"[^>]*>(.*?)</a>', body, re.S
    )
    hidden = r'<span class="visually-hidden">.*?</span>'
    return {
        name: re.sub(r"<[^>]+>", "", re.sub(hidden, "", text)).replace("×", "").strip()
        for _q, name, text in found
    }


def xlsx_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


# --- chips -----------------------------------------------------------------------------------------


def test_a_drill_down_shows_its_filters_as_chips_in_words(dataset, depts, page_client_for):
    # given the manager opens a dashboard drill-down (a department, a category prefix, a date)
    today = timezone.localdate().isoformat()
    dept = depts["BJ-YJ"].pk
    url = f"{reverse('workorders:list')}?department={dept}&category=01&date_to={today}&status=closed"

    body = page_client_for("manager").get(url).content.decode()

    # then each filter is a chip with its label and the value's name, never a code alone
    found = chips(body)
    assert found["department"] == "部门: 运维检修部"
    assert found["status"] == "状态: 已办结"
    assert found["category"] == "投诉分类: 01 服务投诉"
    assert found["date_to"].endswith(today)


def test_a_chip_removes_only_its_own_filter(dataset, depts, page_client_for):
    url = f"{reverse('workorders:list')}?department={depts['BJ-YJ'].pk}&status=closed&status=processing"
    body = page_client_for("manager", "en").get(url).content.decode()
    links = {
        name: parse_qs(unquote(q.replace("&amp;", "&")))
        for q, name in re.findall(r'href="\?([^"]*)" data-chip="(\w+)"', body)
    }
    # the department chip's link keeps both statuses; a status chip's keeps the department
    assert links["department"] == {"status": ["closed", "processing"]}
    assert set(links["status"]) == {"department", "status"} and len(links["status"]["status"]) == 1


def test_refining_keeps_the_filters_the_form_has_no_field_for(dataset, depts, page_client_for):
    url = f"{reverse('workorders:list')}?department={depts['BJ-YJ'].pk}&unit={depts['BJ'].pk}&search=电压"
    body = page_client_for("manager").get(url).content.decode()
    form = re.search(r'<form class="row g-2 align-items-end mb-2".*?</form>', body, re.S).group(0)
    # the drill-down's department and unit ride along as hidden fields; the search has its own box
    assert f'<input type="hidden" name="department" value="{depts["BJ-YJ"].pk}" data-carried>' in form
    assert f'<input type="hidden" name="unit" value="{depts["BJ"].pk}" data-carried>' in form
    assert 'name="search" value="电压"' in form and 'type="hidden" name="search"' not in form


# --- export from the list ---------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "offered"), [("manager", True), ("supervisor", True), ("dispatcher", False)])
def test_the_list_offers_the_excel_export_to_whom_may_export(dataset, page_client_for, who, offered):
    body = page_client_for(who).get(reverse("workorders:list")).content.decode()
    assert ('data-testid="export-button"' in body) is offered
    if offered:
        assert "导出 Excel" in body or "Export to Excel" in body


def test_the_list_exports_exactly_its_filtered_rows(
    dataset, depts, users, page_client_for, media_tmp, django_capture_on_commit_callbacks
):
    # given the manager's list filtered to one department's closed orders
    client = page_client_for("manager")
    query = f"department={depts['BJ-YJ'].pk}&status=closed&status=processing"
    page = client.get(f"{reverse('workorders:list')}?{query}").content.decode()
    listed = order_rows(page)
    assert listed  # the data set has some
    form = re.search(
        r'<form class="ms-auto" method="post" action="([^"]+)" data-testid="list-export">(.*?)</form>',
        page,
        re.S,
    )
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(2))

    # when the export button is pressed (its form posts the list's filters)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(form.group(1), dict_of_lists(fields))
    job = ExportJob.objects.get(user=users["manager"])
    assert response.status_code == 302 and response["Location"] == reverse("stats-export", args=[job.pk])
    assert job.filters == {"department": str(depts["BJ-YJ"].pk), "status": ["closed", "processing"]}
    export_build(job.pk, language="zh-hans")

    # then the workbook holds exactly the list's orders
    job.refresh_from_db()
    from workorders.models import WorkOrder

    exported = [r[0] for r in xlsx_rows(job.file.read())[1:]]
    assert sorted(exported) == sorted(
        WorkOrder.objects.filter(pk__in=listed).values_list("tracking_no", flat=True)
    )


def dict_of_lists(pairs):
    out = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def test_the_workbook_says_yes_or_no(dataset, users, media_tmp):
    job = ExportJob.objects.create(user=users["manager"], filters={})
    export_build(job.pk, language="zh-hans")
    job.refresh_from_db()
    rows = xlsx_rows(job.file.read())
    header = list(rows[0])
    for title in ("是否超期", "重复投诉"):
        column = header.index(title) if title in header else None
        if column is None:
            continue
        assert {r[column] for r in rows[1:]} <= {"是", "否"}
    overdue = header.index(next(h for h in header if "超期" in str(h)))
    assert {r[overdue] for r in rows[1:]} == {"是", "否"}  # the data set has both


# --- the export page --------------------------------------------------------------------------------


def test_the_export_page_shows_its_filters_in_words_and_a_live_status_label(
    dataset, depts, users, page_client_for
):
    client = page_client_for("manager", "en")
    job = ExportJob.objects.create(
        user=users["manager"],
        filters={"department": str(depts["BJ-YJ"].pk), "status": ["closed"], "overdue": "true"},
    )
    body = client.get(reverse("stats-export", args=[job.pk])).content.decode()
    words = re.search(r'data-testid="export-filters">(.*?)</p>', body, re.S).group(1)
    assert "运维检修部" in words and "Closed" in words and "Overdue: Yes" in words
    assert f"department: {depts['BJ-YJ'].pk}" not in words.lower()
    assert (
        '<span id="export-state" data-testid="export-state">Pending</span>' in body
        or 'id="export-state"' in body
    )
    state = client.get(
        reverse("stats-export", args=[job.pk]) + "?format=json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert state["status_label"] == job.get_status_display()


# --- the pivot ---------------------------------------------------------------------------------------


def test_the_pivot_shows_rates_as_percentages_with_one_total_column(dataset, users, client):
    client.force_login(users["manager"])
    page = client.get("/dashboard/pivot/?rows=unit&measure=on_time_rate").content.decode()
    table = re.search(r'data-testid="pivot-table">(.*?)</table>', page, re.S).group(1)
    head = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
    assert head.count("合计") == 1 and head.count("<th") == 2
    total = re.search(r'data-testid="pivot-total">([^<]*)<', table).group(1)
    assert re.fullmatch(r"\d{1,3}\.\d%", total), total


def test_the_pivot_heading_names_the_period_and_the_file_is_named_after_it(dataset, page_client_for):
    client = page_client_for("manager", "en")
    query = "rows=unit&cols=level&measure=count&date_from=2026-11-01&date_to=2026-11-30"
    page = client.get(f"/dashboard/pivot/?{query}").content.decode()
    heading = re.search(r'data-testid="pivot-heading">([^<]*)<', page).group(1)
    assert "2026-11-01" in heading and "2026-11-30" in heading
    xlsx = client.get(f"/dashboard/pivot/?{query}&format=xlsx")
    disposition = unquote(xlsx["Content-Disposition"])
    assert "Count by Unit and Level 2026-11-01 to 2026-11-30.xlsx" in disposition


def test_the_pivot_workbook_keeps_rates_as_numbers_formatted_as_percentages(dataset, users, client):
    client.force_login(users["manager"])
    xlsx = client.get("/dashboard/pivot/?rows=unit&measure=on_time_rate&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "合计" and header.count("合计") == 1
    total = sheet.cell(row=sheet.max_row, column=sheet.max_column)
    assert isinstance(total.value, float) and total.number_format == "0.0%"


# --- reports -------------------------------------------------------------------------------------------


def test_the_reports_page_offers_to_generate_the_latest_period_now(dataset, users, depts, client, media_tmp):
    client.force_login(users["manager"])
    body = client.get(reverse("stats-reports")).content.decode()
    assert 'data-testid="missing-reports"' in body and 'data-generate="weekly"' in body

    response = client.post(
        reverse("stats-report-generate"), {"kind": "weekly", "company": depts["BJ"].pk}, follow=True
    )

    start, _end = report_period("weekly", timezone.localdate())
    report = Report.objects.get(kind="weekly", department=depts["BJ"])
    assert report.period_start == start and report.file
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    again = client.get(reverse("stats-reports")).content.decode()
    assert 'data-generate="weekly"' not in again and 'data-generate="daily"' in again


def test_generate_now_is_only_for_a_company_the_user_covers(dataset, depts, cd_supervisor, client):
    client.force_login(cd_supervisor)
    body = client.get(reverse("stats-reports")).content.decode()
    assert 'data-testid="missing-reports"' not in body  # a unit's supervisor: no company reports
    response = client.post(reverse("stats-report-generate"), {"kind": "daily", "company": depts["BJ"].pk})
    assert response.status_code == 404 and not Report.objects.exists()


def test_a_subscription_change_says_so(dataset, users, client):
    client.force_login(users["manager"])
    on = client.post(reverse("stats-report-subscribe"), {"kind": "daily", "active": "1"}, follow=True)
    assert (
        "Daily statistics" in on.content.decode()
        or "日报" in on.content.decode()
        or "每日" in on.content.decode()
    )
    assert re.search(r'class="alert alert-success[^"]*"', on.content.decode())
    off = client.post(reverse("stats-report-subscribe"), {"kind": "daily", "active": "0"}, follow=True)
    messages = [str(m) for m in off.context["messages"]]
    assert len(messages) == 1 and messages[0] != [str(m) for m in on.context["messages"]][0]
