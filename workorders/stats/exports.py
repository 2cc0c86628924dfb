"""Excel exports: any filtered work-order list, no row cap, written in a background task.

The workbook is openpyxl's write-only mode (rows go to a temporary file as they are appended, so
memory stays flat at any size) and the orders are read with ``.iterator(chunk_size=...)``. It is
written in the language of the request that started the export (the task is given it).
"""

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import User
from accounts.roles import Role
from config.errors import DomainError
from config.xlsx import append_safe

from ..filters import WorkOrderFilter
from ..models import ExportJob, WorkOrder
from ..selectors import contact_visible, handler_department_ids, workorder_list
from .reads import can_see_statistics
from .tasks import run_export

logger = logging.getLogger(__name__)

EXPORT_FILTER_NAMES = tuple(WorkOrderFilter.base_filters)


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _yes_no(value: bool) -> str:
    """A yes/no column in words (是/否), never a blank for "no"."""
    return _("Yes") if value else _("No")


def export_columns() -> list[tuple[str, Callable[[WorkOrder, bool], Any]]]:
    return [
        (_("Tracking number"), lambda o, c: o.tracking_no),
        (_("Received at"), lambda o, c: _local(o.received_at)),
        (_("Channel"), lambda o, c: o.get_channel_display()),
        (_("Status"), lambda o, c: o.get_status_display()),
        (_("Level"), lambda o, c: o.get_level_display()),
        (_("Category"), lambda o, c: f"{o.category.code} {o.category.name}" if o.category_id else ""),
        (_("Unit"), lambda o, c: o.unit.name),
        (_("Handling department"), lambda o, c: o.department.name if o.department_id else ""),
        (_("Handler"), lambda o, c: str(o.assignee) if o.assignee_id else ""),
        (_("Customer"), lambda o, c: o.complaint.customer_name),
        (_("Phone"), lambda o, c: o.complaint.phone if c else "***"),
        (_("Address"), lambda o, c: o.complaint.address if c else "***"),
        (_("Complaint content"), lambda o, c: o.complaint.content),
        (_("Overdue"), lambda o, c: _yes_no(o.is_overdue)),
        (_("Repeat complaint"), lambda o, c: _yes_no(o.is_repeat)),
        (_("Urges"), lambda o, c: o.urge_count),
        (_("Returns"), lambda o, c: o.return_count),
        (_("Reopens"), lambda o, c: o.reopen_count),
        (_("Truthfulness"), lambda o, c: o.get_truthfulness_display() if o.truthfulness else ""),
        (_("Outcome"), lambda o, c: o.get_outcome_display() if o.outcome else ""),
        (_("Satisfaction"), lambda o, c: o.get_satisfaction_display() if o.satisfaction else ""),
        (_("Closed at"), lambda o, c: _local(o.closed_at)),
    ]


def can_export(user: User) -> bool:
    """Exports are for the roles that see the statistics (README: managers, supervisors and
    administrators); their rows are the user's own scope (``workorder_list``)."""
    return can_see_statistics(user)


def exports_visible_to(user: User) -> QuerySet[ExportJob]:
    """The export jobs a user may open and download: their own while they may export; any, for an
    administrator. Everyone else's are answered 404."""
    if not can_export(user):
        return ExportJob.objects.none()
    if user.has_role(Role.ADMIN):
        return ExportJob.objects.all()
    return ExportJob.objects.filter(user=user)


def clean_filters(data: Mapping[str, Any]) -> dict:
    """Keep only the order list's filter names; multi-valued filters stay lists."""
    out = {}
    getlist = getattr(data, "getlist", None)
    for name in EXPORT_FILTER_NAMES:
        if name not in data:
            continue
        values = getlist(name) if getlist else data[name]
        values = values if isinstance(values, (list, tuple)) else [values]
        values = [str(v) for v in values if str(v) != ""]
        if values:
            out[name] = values if len(values) > 1 or name in ("status", "level", "channel") else values[0]
    return out


def export_queryset(user: User, filters: dict) -> QuerySet[WorkOrder]:
    query = QueryDict(mutable=True)
    for name, value in filters.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    filterset = WorkOrderFilter(query, queryset=workorder_list(user), user=user)
    if not filterset.is_valid():
        raise DomainError(
            _("Invalid filters."),
            code="invalid",
            fields={k: [str(e) for e in v] for k, v in filterset.errors.items()},
        )
    return filterset.qs.order_by("-received_at", "-id")


@transaction.atomic
def export_start(*, user: User, filters: dict) -> ExportJob:
    """Check the role and the filters, record the job and enqueue its task after commit."""
    if not can_export(user):
        raise DomainError(
            _("Exports are for managers, supervisors and administrators."), code="permission_denied"
        )
    filters = clean_filters(filters)
    export_queryset(user, filters)  # validates
    job = ExportJob.objects.create(user=user, filters=filters)
    language = translation.get_language()  # the headers and labels in the language of the request
    transaction.on_commit(lambda: export_queue(job.pk, language=language))
    return job


def export_queue(job_id: int, *, language: str | None = None) -> bool:
    """Ask a worker to build the job. False (logged) when the broker cannot be reached: the job
    stays pending, its page says so, and ``exports_requeue`` (beat) queues it again later."""
    try:
        run_export.apply_async(args=[job_id], kwargs={"language": language}, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker error: the job waits for the beat job
        logger.warning("Could not queue export %s (%s); it stays pending", job_id, exc)
        return False
    return True


def exports_requeue(*, now: datetime | None = None) -> int:
    """Beat job: queue again every export still pending ``EXPORT_REQUEUE_AFTER_SECONDS`` after it
    was asked for (the broker was down then, or the message was lost). Building is idempotent
    (a finished job is left alone), so a job queued twice is built once."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EXPORT_REQUEUE_AFTER_SECONDS)
    queued = 0
    stale = ExportJob.objects.filter(status=ExportJob.State.PENDING, created_at__lt=cutoff)
    # The requester's language is not kept with the job: a re-queued export speaks the default one.
    for job_id in stale.values_list("pk", flat=True)[:500]:
        queued += export_queue(job_id)
    return queued


def export_build(job_id: int, language: str | None = None) -> ExportJob:
    """Write the job's workbook (idempotent: a finished job is left alone), in ``language`` when
    given (else the active language)."""
    with translation.override(language) if language else contextlib.nullcontext():
        return _build(job_id)


def _build(job_id: int) -> ExportJob:
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status == ExportJob.State.DONE:
        return job
    qs = export_queryset(job.user, job.filters)
    total = qs.count()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.State.RUNNING, total=total, written=0)
    columns = export_columns()
    handler_depts = handler_department_ids(job.user)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Work orders"))
    append_safe(ws, [str(title) for title, _f in columns])
    chunk = settings.EXPORT_CHUNK_SIZE
    written = 0
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        for order in qs.iterator(chunk_size=chunk):
            visible = contact_visible(job.user, order, handler_depts=handler_depts)
            append_safe(ws, [f(order, visible) for _t, f in columns])
            written += 1
            if written % chunk == 0:
                ExportJob.objects.filter(pk=job.pk).update(written=written)
        wb.save(path)
        with open(path, "rb") as fh:
            job.file.save(
                f"workorders-{timezone.localtime():%Y%m%d-%H%M%S}-{job.pk}.xlsx", File(fh), save=False
            )
    finally:
        os.unlink(path)
    job.status, job.total, job.written, job.finished_at = ExportJob.State.DONE, total, written, timezone.now()
    job.save(update_fields=["file", "status", "total", "written", "finished_at"])
    return job
