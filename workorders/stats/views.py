"""Pages of the statistics area: dashboard, pivot, reports and exports (managers and supervisors)."""

import io
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from accounts.models import Department
from accounts.selectors import user_covered_departments
from complaints.models import Category, Channel
from config.errors import DomainError, page_refusal
from config.protected_media import bytes_download_response, protected_file_response
from config.routers import replica_reads
from config.xlsx import append_safe

from ..filter_labels import filter_chips
from ..models import ExportJob, Level, Report, ReportSubscription
from ..outages.selectors import outages_in_period
from .exports import clean_filters, export_start, exports_visible_to
from .reads import (
    PIVOT_DIMENSIONS,
    PIVOT_MEASURES,
    StatsFilter,
    can_see_statistics,
    stats_dashboard,
    stats_pivot,
)
from .reports import report_display_title, report_generate, report_labels, report_period, report_xlsx
from .services import report_subscription_set

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def order_list_url(params: dict) -> str:
    """The work-order list page filtered like the figure (it takes the API's filter names)."""
    url = reverse("workorders:list")
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def _links_to_urls(value, *, inside_links=False):
    """Turn the selectors' drill-down filter dicts ("link", "*_link", "links": {...}) into list URLs."""
    if isinstance(value, dict):
        if inside_links:
            return order_list_url(value)
        out = {}
        for k, v in value.items():
            if (k == "link" or k.endswith("_link")) and isinstance(v, dict):
                out[k] = order_list_url(v)
            elif k == "links" and isinstance(v, dict):
                out[k] = {name: order_list_url(q) for name, q in v.items()}
            else:
                out[k] = _links_to_urls(v)
        return out
    if isinstance(value, list):
        return [_links_to_urls(v) for v in value]
    return value


def statistics_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_see_statistics(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(
        label=gettext_lazy("Department"), required=False, coerce=int, empty_value=None
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("All"))]
        depts = Department.objects.filter(is_active=True)
        if not user.is_superuser:
            depts = user_covered_departments(user)
        self.fields["unit"].choices = everyone + [
            (d.pk, d.name) for d in depts.filter(kind__in=["company", "supply_unit"]).order_by("path")
        ]
        self.fields["department"].choices = everyone + [
            (d.pk, f"{'— ' * d.depth}{d.name}") for d in depts.order_by("path")
        ]
        self.fields["category"].choices = everyone + [
            (c.code, f"{'— ' * (c.level - 1)}{c.code} {c.name}")
            for c in Category.objects.filter(level__lte=2).order_by("code")
        ]
        self.fields["channel"].choices = everyone + list(Channel.choices)
        self.fields["level"].choices = everyone + list(Level.choices)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm",
            )

    def stats_filter(self) -> StatsFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return StatsFilter(**{k: data.get(k) or None for k in StatsFilter.__dataclass_fields__})


@statistics_required
@replica_reads
def dashboard(request):
    """The manager dashboard: every figure from the aggregate tables, scoped to the user."""
    form = StatsFilterForm(request.GET or None, user=request.user)
    f = form.stats_filter()
    data = _links_to_urls(stats_dashboard(request.user, f))
    charts = {
        "trend": data["trend"],
        "open_stages": [
            {"name": s["label"], "value": s["count"], "url": s["link"]} for s in data["open_stages"]
        ],
        "category_mix": [
            {"name": c["name"], "value": c["received"], "url": c["link"]} for c in data["category_mix"]
        ],
        "per_10k": [{"name": u["name"], "value": u["per_10k"], "url": u["link"]} for u in data["per_10k"]],
        "ranking": [
            {"name": r["name"], "value": r["on_time_rate"], "url": r["link"]} for r in data["ranking"]
        ],
        "stage_on_time": [
            {"name": str(STAGE_LABELS[s]), "value": v} for s, v in data["totals"]["stage_on_time"].items()
        ],
        "labels": {"received": pgettext("count", "Received"), "closed": _("Closed")},
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "d": data,
            "charts": charts,
            "stage_labels": STAGE_LABELS,
            # Complaints per outage event of the period (issue 16): the outages page has the rest.
            "outages": outages_in_period(request.user, data["date_from"], data["date_to"]),
        },
    )


# The stages of the per-stage on-time rates. "Review" and "Callback" alone are statuses (待审核,
# 待回访): as stages they take the context "stage" (as in ``workorders.queues.STAGE_NAMES``).
STAGE_LABELS = {
    "dispatch": gettext_lazy("Dispatch"),
    "contact": gettext_lazy("First contact"),
    "reply": gettext_lazy("Reply"),
    "review": pgettext_lazy("stage", "Review"),
    "callback": pgettext_lazy("stage", "Callback"),
}


class PivotForm(forms.Form):
    rows = forms.ChoiceField(
        label=gettext_lazy("Rows"), choices=[(k, v[1]) for k, v in PIVOT_DIMENSIONS.items()], initial="unit"
    )
    cols = forms.ChoiceField(
        label=gettext_lazy("Columns"),
        required=False,
        choices=[("", gettext_lazy("(none)"))] + [(k, v[1]) for k, v in PIVOT_DIMENSIONS.items()],
    )
    measure = forms.ChoiceField(
        label=gettext_lazy("Measure"), choices=[(k, v[0]) for k, v in PIVOT_MEASURES.items()], initial="count"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


@statistics_required
@replica_reads
def pivot(request):
    """Multi-dimensional analysis: a pivot table with totals, a chart and an Excel download."""
    query = request.GET.copy()
    query.setdefault("rows", "unit")
    query.setdefault("measure", "count")
    form = PivotForm(query)
    filters = StatsFilterForm(request.GET or None, user=request.user)
    result = None
    if form.is_valid():
        v = form.cleaned_data
        try:
            result = stats_pivot(
                request.user,
                filters.stats_filter(),
                rows=v["rows"],
                cols=v["cols"] or None,
                measure=v["measure"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            result = None
    period = pivot_period(filters.stats_filter())
    title = None
    if result is not None:
        v = form.cleaned_data
        title = pivot_title(result, rows=v["rows"], cols=v["cols"] or None)
        # without a column dimension the one column is the total: shown once, as 合计 (the chart
        # keeps it as its one series)
        result["show_cols"] = bool(v["cols"])
        if request.GET.get("format") == "xlsx":
            return _pivot_xlsx(result, filename=pivot_filename(title, period))
        is_rate = result["measure"] in RATE_MEASURES
        shown = _percent if is_rate else _plain
        result["lines"] = [
            {
                "label": r["label"],
                "cells": [shown(c) for c in cells] if result["show_cols"] else [],
                "total": shown(total),
            }
            for r, cells, total in zip(result["rows"], result["cells"], result["row_totals"], strict=False)
        ]
        result["col_totals_shown"] = [shown(c) for c in result["col_totals"]] if result["show_cols"] else []
        result["total_shown"] = shown(result["total"])
        result["is_rate"] = is_rate
    export_query = request.GET.copy()
    export_query["format"] = "xlsx"
    return render(
        request,
        "reports/pivot.html",
        {
            "form": form,
            "filters": filters,
            "result": result,
            "title": title,
            "period": period,
            "xlsx_query": export_query.urlencode(),
        },
    )


# The pivot measures that are rates (fractions 0..1): shown and written as percentages.
RATE_MEASURES = {m for m in PIVOT_MEASURES if m.endswith("_rate")}


def _percent(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _plain(value) -> str:
    return "" if value is None else str(value)


def pivot_period(f: StatsFilter) -> str:
    """The pivot's period in words: "2026-11-01 – 2026-11-30", "from …", "to …" or "all dates"."""
    start, end = f.date_from, f.date_to
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    if start:
        return _("from %(start)s") % {"start": start.isoformat()}
    if end:
        return _("until %(end)s") % {"end": end.isoformat()}
    return _("all dates")


def pivot_title(result, *, rows: str, cols: str | None) -> str:
    """ "On-time rate by Unit and Channel": the measure and the dimensions, in the reader's language."""
    if cols:
        return _("%(measure)s by %(rows)s and %(cols)s") % {
            "measure": result["measure_label"],
            "rows": PIVOT_DIMENSIONS[rows][1],
            "cols": PIVOT_DIMENSIONS[cols][1],
        }
    return _("%(measure)s by %(rows)s") % {
        "measure": result["measure_label"],
        "rows": PIVOT_DIMENSIONS[rows][1],
    }


def pivot_filename(title: str, period: str) -> str:
    """The download's name: the pivot's title and period, without characters a file name refuses."""
    name = f"{title} {period}"
    for ch in '\\/:*?"<>|':
        name = name.replace(ch, "-")
    return f"{' '.join(name.split())}.xlsx"


def _pivot_xlsx(result, *, filename: str) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Pivot")
    rate = result["measure"] in RATE_MEASURES
    cols = result["show_cols"]
    append_safe(ws, [result["measure_label"]] + [c["label"] for c in result["cols"] if cols] + [_("Total")])
    for r, cells, total in zip(result["rows"], result["cells"], result["row_totals"], strict=False):
        append_safe(ws, [r["label"]] + (cells if cols else []) + [total])
    append_safe(ws, [_("Total")] + (result["col_totals"] if cols else []) + [result["total"]])
    if rate:  # the fractions shown as percentages by Excel itself (still numbers to compute with)
        for row in ws.iter_rows(min_row=2, min_col=2):
            for cell in row:
                cell.number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    return bytes_download_response(buf.getvalue(), filename=filename, content_type=XLSX)


def _reports_visible_to(user):
    """Reports of the companies the user covers (a unit's supervisor does not see the whole company's)."""
    return Report.objects.select_related("department").filter(department__in=user_covered_departments(user))


@statistics_required
def report_list(request):
    reports = _reports_visible_to(request.user)
    kind = request.GET.get("kind")
    if kind in Report.Kind.values:
        reports = reports.filter(kind=kind)
    subscribed = set(
        ReportSubscription.objects.filter(user=request.user, is_active=True).values_list("kind", flat=True)
    )
    reports = list(reports[:200])
    for report in reports:
        report.display_title = report_display_title(report)
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports,
            "kinds": Report.Kind.choices,
            "kind": kind,
            "subscriptions": [(code, label, code in subscribed) for code, label in Report.Kind.choices],
            "missing": _missing_reports(request.user),
        },
    )


def _report_companies(user):
    """The companies (root departments) whose reports the user may see and generate."""
    return Department.objects.filter(
        parent__isnull=True, is_active=True, pk__in=user_covered_departments(user).values("pk")
    ).order_by("pk")


def _missing_reports(user) -> list[dict]:
    """Per company the user covers, each kind whose latest period (the one just ended) has no
    report yet: the reports page offers to generate it now instead of waiting for the night."""
    today = timezone.localdate()
    periods = {code: report_period(code, today) for code in Report.Kind.values}
    companies = list(_report_companies(user))
    have = set(
        Report.objects.filter(department__in=companies)
        .exclude(file="")
        .values_list("department_id", "kind", "period_start")
    )
    missing = []
    for company in companies:
        for code, label in Report.Kind.choices:
            start, end = periods[code]
            if (company.pk, code, start) not in have:
                period = start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"
                missing.append(
                    {
                        "kind": code,
                        "label": label,
                        "company": company,
                        "period": period,
                        "several": len(companies) > 1,
                    }
                )
    return missing


@statistics_required
@require_POST
def report_generate_now(request):
    """Generate the latest period's report of one kind for a company the user covers, now."""
    kind = request.POST.get("kind")
    company = _report_companies(request.user).filter(pk=request.POST.get("company") or 0).first()
    if kind not in Report.Kind.values or company is None:
        raise Http404
    report = report_generate(kind=kind, company=company)
    messages.success(request, _("Report generated: %(title)s.") % {"title": report_display_title(report)})
    return redirect("stats-report", pk=report.pk)


@statistics_required
@require_POST
def report_subscribe(request):
    """Subscribe to (or unsubscribe from) the e-mailed reports of one kind."""
    try:
        subscription = report_subscription_set(
            user=request.user, kind=request.POST.get("kind"), active=request.POST.get("active") == "1"
        )
    except DomainError:
        raise Http404  # not a report kind
    label = Report.Kind(subscription.kind).label
    if subscription.is_active:
        messages.success(request, _("Subscribed: the %(kind)s will be e-mailed to you.") % {"kind": label})
    else:
        messages.success(
            request, _("Unsubscribed: the %(kind)s will no longer be e-mailed to you.") % {"kind": label}
        )
    return redirect("stats-reports")


@statistics_required
def report_detail(request, pk):
    report = get_object_or_404(_reports_visible_to(request.user), pk=pk)
    template = "reports/report_print.html" if request.GET.get("print") else "reports/report_detail.html"
    return render(
        request,
        template,
        {"report": report, "title": report_display_title(report), "data": report_labels(report.data)},
    )


@statistics_required
def report_download(request, pk):
    """The report's workbook: the file written when it was generated (the default language), or
    the same figures written again in the reader's language."""
    report = get_object_or_404(_reports_visible_to(request.user), pk=pk)
    if not report.file:
        raise Http404
    filename = report.file.name.rsplit("/", 1)[-1]
    if translation.get_language() == settings.LANGUAGE_CODE:
        return protected_file_response(report.file, filename=filename, content_type=XLSX)
    return bytes_download_response(report_xlsx(report), filename=filename, content_type=XLSX)


@statistics_required
@require_POST
def export_create(request):
    """Start an export of the order list with the filters posted (the list page's query string)."""
    try:
        job = export_start(user=request.user, filters=clean_filters(request.POST))
    except DomainError as exc:
        message, _fields = page_refusal(exc)  # raises Http404 for a not_found refusal
        messages.error(request, message)
        return redirect("stats-exports")
    return redirect("stats-export", pk=job.pk)


@statistics_required
def export_detail(request, pk):
    job = get_object_or_404(exports_visible_to(request.user), pk=pk)
    if request.GET.get("format") == "json" or request.htmx:
        return JsonResponse(
            {
                "id": job.pk,
                "status": job.status,
                "status_label": job.get_status_display(),
                "progress": job.progress,
                "written": job.written,
                "total": job.total,
                "download_url": reverse("stats-export-download", args=[job.pk])
                if job.status == "done"
                else None,
                "error": job.error,
            }
        )
    return render(request, "reports/export.html", {"job": job, "filters": filter_chips(job.filters)})


@statistics_required
def export_download(request, pk):
    """The export's workbook: for its owner (or an administrator); a download, never cached."""
    job = get_object_or_404(exports_visible_to(request.user), pk=pk, status=ExportJob.State.DONE)
    return protected_file_response(job.file, content_type=XLSX)


@statistics_required
def export_list(request):
    """The user's exports, and a form to export the order list with given filters."""
    return render(
        request,
        "reports/export_list.html",
        {
            "jobs": exports_visible_to(request.user).filter(user=request.user)[:50],
            "filters": [
                (k, v)
                for k, vals in clean_filters(request.GET).items()
                for v in (vals if isinstance(vals, list) else [vals])
            ],
            "filter_words": filter_chips(clean_filters(request.GET)),
        },
    )
