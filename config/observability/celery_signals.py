"""Celery's side: task ids in log lines, task durations in the metrics, JSON logs in worker and beat.

Imported by ``config/__init__.py``, so every process that loads the Celery app (web, worker, beat,
manage.py) has these receivers; they do nothing until a task runs or Celery sets up its logging.
"""

import time

from celery import signals

from . import context
from .logs import json_logs_enabled, use_json
from .metrics import EXPORT_DURATION, REPORT_DURATION, TASK_DURATION

EXPORT_TASK = "workorders.stats.export"
REPORT_TASKS = ("workorders.stats.generate_report", "workorders.stats.generate_scheduled_report")

# task id → (context token, start time); a task runs in one thread from prerun to postrun.
_running: dict = {}


@signals.task_prerun.connect(dispatch_uid="observability.task_prerun")
def _task_started(task_id=None, task=None, **_kwargs):
    token = context.bind(task_id=task_id, task_name=getattr(task, "name", None))
    _running[task_id] = (token, time.perf_counter())


@signals.task_postrun.connect(dispatch_uid="observability.task_postrun")
def _task_finished(task_id=None, task=None, args=None, kwargs=None, state=None, **_kwargs):
    token, started = _running.pop(task_id, (None, None))
    if token is not None:
        try:
            context.reset(token)
        except ValueError:  # bound in another context (should not happen): leave it
            pass
    if started is None:
        return
    elapsed = time.perf_counter() - started
    name = getattr(task, "name", None) or "unknown"
    outcome = (state or "unknown").lower()
    TASK_DURATION.labels(name, outcome).observe(elapsed)
    if name == EXPORT_TASK:
        EXPORT_DURATION.labels(outcome).observe(elapsed)
    elif name in REPORT_TASKS:
        kind = (kwargs or {}).get("kind") or (args[0] if args else "unknown")
        REPORT_DURATION.labels(str(kind), name.rpartition(".")[2], outcome).observe(elapsed)


@signals.after_setup_logger.connect(dispatch_uid="observability.after_setup_logger")
@signals.after_setup_task_logger.connect(dispatch_uid="observability.after_setup_task_logger")
def _json_worker_logs(logger=None, **_kwargs):
    """Celery replaces the root logger's handlers with its own text format; JSON mode keeps JSON."""
    if logger is not None and json_logs_enabled():
        use_json(logger)
