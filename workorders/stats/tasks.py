"""Celery tasks of the statistics area (found by config.celery's autodiscovery, named explicitly)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from accounts.models import Department

from ..models import ExportJob
from .aggregates import stats_rebuild
from .reports import report_generate, report_send


@shared_task(name="workorders.stats.export", acks_late=True)
def run_export(job_id: int, language: str | None = None) -> int:
    """Build an export's workbook in ``language`` (the requester's; None: the default)."""
    # A real cycle: exports.export_start queues this task, and the task builds with exports.
    from .exports import export_build  # noqa: PLC0415

    try:
        return export_build(job_id, language=language).pk
    except Exception as exc:  # recorded for the progress page, then re-raised for the worker's log
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.State.FAILED, error=str(exc)[:2000])
        raise


@shared_task(name="workorders.stats.requeue_exports")
def requeue_exports() -> int:
    """Beat entry: exports still pending (the broker was down when they were asked for)."""
    from .exports import exports_requeue  # noqa: PLC0415 - the same cycle as run_export's

    return exports_requeue()


@shared_task(name="workorders.stats.generate_report", acks_late=True)
def generate_report(kind: str, company_id: int, today: str | None = None, send: bool = True) -> int:
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    report = report_generate(kind=kind, today=day, company=Department.objects.get(pk=company_id))
    if send:
        report_send(report.pk)
    return report.pk


@shared_task(name="workorders.stats.generate_scheduled_report", acks_late=True)
def generate_scheduled_report(kind: str, today: str | None = None) -> list[int]:
    """Beat entry: one report per company (root department), e-mailed to its subscribers."""
    return [
        generate_report(kind, company.pk, today)
        for company in Department.objects.filter(parent__isnull=True, is_active=True)
    ]


@shared_task(name="workorders.stats.rebuild", acks_late=True)
def rebuild(days: int = 3, date_from: str | None = None, date_to: str | None = None) -> int:
    today = timezone.localdate()
    start = dt.date.fromisoformat(date_from) if date_from else today - dt.timedelta(days=days - 1)
    end = dt.date.fromisoformat(date_to) if date_to else today
    return stats_rebuild(date_from=start, date_to=end)
