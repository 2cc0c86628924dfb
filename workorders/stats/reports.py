"""Scheduled reports: the daily statistics sheet, the weekly bulletin and the monthly supervision report.

A report is computed once per kind, period and company (its figures kept as JSON), written as an
XLSX file, shown as a printable HTML page, and e-mailed to the subscribers of that company.

The figures keep codes beside their labels (a breakdown row's ``key``, an order's ``status_code`` and
``level_code``): the file and the e-mail are written in the default language, and a page or a
download in another language computes its labels again (``report_labels``, ``report_xlsx``).
"""

import datetime as dt
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook

from accounts.models import Department
from accounts.selectors import user_covered_departments
from config.xlsx import append_safe

from ..models import UNHANDLED_OUTCOMES, Level, Report, ReportSubscription, StatsDaily, Status, WorkOrder
from .aggregates import day_start
from .reads import (
    StatsFilter,
    _dimension_mapper,
    _filtered,
    _sum_rows,
    department_ranking,
    stats_pivot,
    stats_summary,
)

LIST_LIMIT = 50


def report_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period just ended before ``today``: yesterday, last week (Mon–Sun), last month."""
    if kind == Report.Kind.DAILY:
        day = today - dt.timedelta(days=1)
        return day, day
    if kind == Report.Kind.WEEKLY:
        start = today - dt.timedelta(days=today.weekday() + 7)
        return start, start + dt.timedelta(days=6)
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _previous(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    if kind == Report.Kind.MONTHLY:
        prev_end = start - dt.timedelta(days=1)
        return prev_end.replace(day=1), prev_end
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def _order_rows(qs: QuerySet[WorkOrder]) -> list[dict]:
    return [
        {
            "id": o.pk,
            "tracking_no": o.tracking_no,
            "received_at": timezone.localtime(o.received_at).strftime("%Y-%m-%d %H:%M"),
            "status": str(o.get_status_display()),
            "status_code": o.status,
            "level": str(o.get_level_display()),
            "level_code": o.level,
            "unit": o.unit.name,
            "department": o.department.name if o.department_id else "",
            "category": o.category.name if o.category_id else "",
            "urge_count": o.urge_count,
            "reopen_count": o.reopen_count,
        }
        for o in qs.select_related("unit", "department", "category")[:LIST_LIMIT]
    ]


def report_data(kind: str, start: dt.date, end: dt.date, company: Department) -> dict:
    f = StatsFilter(date_from=start, date_to=end)
    prev = StatsFilter(*_previous(kind, start, end))
    summary, previous = stats_summary(company, f), stats_summary(company, prev)
    breakdowns = {}
    for dim in ("unit", "category1", "level", "channel"):
        p = stats_pivot(company, f, rows=dim, measure="count")
        totals = zip(p["rows"], p["row_totals"], strict=True)
        breakdowns[dim] = [{"key": r["key"], "label": r["label"], "count": t} for r, t in totals]
    dept_rows = _sum_rows(_filtered(StatsDaily, company, f).exclude(department_id=0), ("department_id",))
    ranking = [
        {
            "department": d["name"],
            "received": d["received"],
            "on_time_rate": d["on_time_rate"],
            "satisfaction_rate": d["satisfaction_rate"],
            "avg_handling_hours": d["avg_handling_hours"],
            "overdue": d["overdue"],
            "internal_urged": d["internal_urged"],
        }
        for d in department_ranking(dept_rows)
    ]
    covered = company.subtree().values("pk")
    scoped = WorkOrder.objects.filter(unit__in=covered) | WorkOrder.objects.filter(department__in=covered)
    in_period = scoped.filter(
        received_at__gte=day_start(start), received_at__lt=day_start(end + dt.timedelta(days=1))
    )
    return {
        "kind": kind,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "company": company.name,
        "summary": summary,
        "previous": previous,
        "breakdowns": breakdowns,
        "ranking": ranking,
        "overdue": _order_rows(
            scoped.exclude(status=Status.CLOSED).filter(is_overdue=True).order_by("received_at")
        ),
        # As in the repeat rate: a merged or dismissed order is not a complaint, so not a repeat one.
        "repeats": _order_rows(
            in_period.filter(is_repeat=True).exclude(outcome__in=UNHANDLED_OUTCOMES).order_by("-received_at")
        ),
        "notable": _order_rows(
            in_period.filter(level__in=[Level.SPECIAL, Level.MAJOR]).order_by("-received_at")
            | in_period.filter(is_supervised=True).order_by("-received_at")
        ),
    }


# Labels are lazy: each is translated in the language of the request or mail that shows it.
SUMMARY_FIGURES = [
    ("received", pgettext_lazy("count", "Received")),
    ("closed", gettext_lazy("Closed")),
    ("open", gettext_lazy("Open")),
    ("merged", gettext_lazy("Merged duplicates")),
    ("dismissed", gettext_lazy("Dismissed (not established)")),
    ("suspended", gettext_lazy("Suspended")),
    ("terminated", gettext_lazy("Service terminated")),
    ("internal_urged", gettext_lazy("Urged by the centre")),
    ("platform_received", gettext_lazy("12398/12345 orders")),
    ("platform_replied", gettext_lazy("Replied to the platform")),
    ("platform_replied_late", gettext_lazy("Replied late to the platform")),
    ("platform_satisfaction_rate", gettext_lazy("Platform satisfaction rate")),
    ("overdue", gettext_lazy("Overdue now")),
    ("on_time_rate", gettext_lazy("On-time rate")),
    ("satisfaction_rate", gettext_lazy("Callback satisfaction rate")),
    ("first_callback_satisfaction_rate", gettext_lazy("First-callback satisfaction rate")),
    ("repeat_rate", gettext_lazy("Repeat-complaint rate")),
    ("truthfulness_rate", gettext_lazy("Truthfulness rate")),
    ("avg_handling_hours", gettext_lazy("Average handling time (hours)")),
    ("p90_handling_hours", gettext_lazy("90th percentile handling time (hours)")),
]


ORDER_LISTS = ("overdue", "repeats", "notable")


def report_labels(data: dict) -> dict:
    """The report's figures with their labels in the active language, computed again from the codes
    kept beside them (a report generated before the codes were kept keeps its labels)."""
    out = dict(data)
    breakdowns = {}
    for dim, rows in (data.get("breakdowns") or {}).items():
        if rows and all("key" in r for r in rows):
            label = _dimension_mapper(dim)[1]
            rows = [{**r, "label": str(label(r["key"]))} for r in rows]
        breakdowns[dim] = rows
    out["breakdowns"] = breakdowns
    for name in ORDER_LISTS:
        out[name] = [
            {
                **o,
                "status": str(Status(o["status_code"]).label)
                if o.get("status_code") in Status.values
                else o["status"],
                "level": str(Level(o["level_code"]).label)
                if o.get("level_code") in Level.values
                else o["level"],
            }
            for o in data.get(name) or []
        ]
    return out


def report_display_title(report: Report) -> str:
    """The report's title in the active language (the stored one is in the default language)."""
    return report_title(report.kind, report.period_start, report.period_end, report.department)


def report_xlsx(report: Report) -> bytes:
    """The report's workbook in the active language."""
    data = report_labels(report.data)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")
    append_safe(ws, [report_display_title(report)])
    append_safe(ws, [_("Period"), data["period_start"], data["period_end"]])
    append_safe(ws, [_("Figure"), _("This period"), _("Previous period")])
    for key, label in SUMMARY_FIGURES:
        append_safe(ws, [str(label), data["summary"].get(key), data["previous"].get(key)])
    for dim, title in (
        ("unit", _("By unit")),
        ("category1", _("By category")),
        ("level", _("By level")),
        ("channel", _("By channel")),
    ):
        sheet = wb.create_sheet(title[:31])
        append_safe(sheet, [title, _("Count")])
        for row in data["breakdowns"][dim]:
            append_safe(sheet, [row["label"], row["count"]])
    sheet = wb.create_sheet(_("Department ranking")[:31])
    append_safe(
        sheet,
        [
            _("Department"),
            pgettext("count", "Received"),
            _("On-time rate"),
            _("Satisfaction rate"),
            _("Average handling time (hours)"),
            _("Overdue now"),
            _("Urged by the centre"),
        ],
    )
    for r in data["ranking"]:
        append_safe(
            sheet,
            [
                r["department"],
                r["received"],
                r["on_time_rate"],
                r["satisfaction_rate"],
                r["avg_handling_hours"],
                r["overdue"],
                r.get("internal_urged", 0),  # reports generated before the measure existed
            ],
        )
    for key, title in (
        ("overdue", _("Overdue orders")),
        ("repeats", _("Repeat complaints")),
        ("notable", _("Notable orders")),
    ):
        sheet = wb.create_sheet(title[:31])
        append_safe(
            sheet,
            [
                _("Tracking number"),
                _("Received at"),
                _("Status"),
                _("Level"),
                _("Unit"),
                _("Handling department"),
                _("Category"),
                _("Urges"),
                _("Reopens"),
            ],
        )
        for o in data[key]:
            append_safe(
                sheet,
                [
                    o["tracking_no"],
                    o["received_at"],
                    o["status"],
                    o["level"],
                    o["unit"],
                    o["department"],
                    o["category"],
                    o["urge_count"],
                    o["reopen_count"],
                ],
            )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_title(kind: str, start: dt.date, end: dt.date, company: Department) -> str:
    label = dict(Report.Kind.choices)[kind]
    period = start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"
    return f"{company.name} {label} {period}"


@transaction.atomic
def report_generate(*, kind: str, today: dt.date | None = None, company: Department) -> Report:
    """Compute (once) the report of the period just ended for one company."""
    today = today or timezone.localdate()
    start, end = report_period(kind, today)
    existing = (
        Report.objects.select_for_update().filter(kind=kind, period_start=start, department=company).first()
    )
    if existing is not None and existing.file:
        return existing
    with translation.override(settings.LANGUAGE_CODE):
        data = report_data(kind, start, end, company)
        report = existing or Report(kind=kind, period_start=start, period_end=end, department=company)
        report.title = report_title(kind, start, end, company)
        report.data = data
        report.save()
        report.file.save(
            f"{kind}-{start:%Y%m%d}-{company.code}.xlsx", ContentFile(report_xlsx(report)), save=True
        )
    return report


def report_recipients(report: Report) -> list[str]:
    subs = ReportSubscription.objects.filter(
        kind=report.kind, is_active=True, user__is_active=True
    ).select_related("user__department")
    out = []
    for sub in subs:
        user = sub.user
        if user.email and user_covered_departments(user).filter(pk=report.department_id).exists():
            out.append(user.email)
    return sorted(set(out))


def report_send(report_id: int) -> int:
    """E-mail the report to its subscribers once (the XLSX attached). Returns the number of recipients."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.emailed_at is not None:
            return 0
        recipients = report_recipients(report)
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string("reports/email.txt", {"report": report, "data": report.data})
            message = EmailMessage(subject=report.title, body=body, to=recipients)
            report.file.open("rb")
            try:
                message.attach(
                    report.file.name.rsplit("/", 1)[-1],
                    report.file.read(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            finally:
                report.file.close()
            message.send()
        report.emailed_at = timezone.now()
        report.save(update_fields=["emailed_at"])
    return len(recipients)
