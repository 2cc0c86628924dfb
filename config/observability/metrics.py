"""The metrics observed in-process, and the registry that ``/metrics`` renders.

One process (runserver, a single gunicorn worker, the tests) keeps its metrics in memory. gunicorn's
several workers each have their own memory, so a scrape would see one worker at random: with the
``PROMETHEUS_MULTIPROC_DIR`` environment variable set (before the process starts), every process
writes its histograms to files in that directory and ``/metrics`` adds them all up
(prometheus_client's multiprocess mode). Celery workers that share the directory with the web
processes (one host, or one volume) add their task durations to the same scrape. The directory must
be empty when the processes start (a tmpfs, or cleared by the start script).

The gauges about the system's state (outbox, deadline sweep, queues, exports) are not observed
here: ``collectors.StateCollector`` reads them from the database and Redis at scrape time.
"""

import os
import socket

from prometheus_client import REGISTRY, CollectorRegistry, Histogram, disable_created_metrics, values
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def _process_identifier() -> str:
    # The host name too: web and worker containers that share the directory may reuse pids.
    host = socket.gethostname().replace("_", "-")
    return f"{host}-{os.getpid()}"


if MULTIPROC_DIR:
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
    values.ValueClass = values.MultiProcessValue(process_identifier=_process_identifier)

# The ``*_created`` series only say when a process first saw a label set: noise here.
disable_created_metrics()

# Buckets around design.md's budgets (p95 ≤ 50 ms intake, ≤ 100 ms lists, ≤ 300 ms dashboards).
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60)
# Background work: a delivery takes milliseconds, a year's export minutes.
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)

REQUEST_LATENCY = Histogram(
    "workorders_http_request_duration_seconds",
    "Time from the request reaching Django's middleware to the response, per view (URL name), "
    "method and status class.",
    ["view", "method", "status"],
    buckets=REQUEST_BUCKETS,
)
TASK_DURATION = Histogram(
    "workorders_celery_task_duration_seconds",
    "Run time of a Celery task in the worker, per task name and outcome (success, failure, retry).",
    ["task", "outcome"],
    buckets=TASK_BUCKETS,
)
EXPORT_DURATION = Histogram(
    "workorders_export_duration_seconds",
    "Run time of the Excel export task (workorders.stats.export), per outcome.",
    ["outcome"],
    buckets=TASK_BUCKETS,
)
REPORT_DURATION = Histogram(
    "workorders_report_duration_seconds",
    "Run time of a report task per kind (daily, weekly, monthly): generate_report builds and mails "
    "one company's report, generate_scheduled_report (beat) all companies' reports.",
    ["kind", "task", "outcome"],
    buckets=TASK_BUCKETS,
)


class _DefaultRegistry:
    """This process's own metrics (histograms, process and platform collectors) as one collector."""

    def collect(self):
        return REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    """A registry for one scrape: the observed metrics (this process's, or every process's in
    multiprocess mode) and the gauges read now."""
    from .collectors import StateCollector  # noqa: PLC0415 - it reads models, imported when scraped

    registry = CollectorRegistry()
    if MULTIPROC_DIR:
        MultiProcessCollector(registry, path=MULTIPROC_DIR)
    else:
        registry.register(_DefaultRegistry())
    registry.register(StateCollector())
    return registry
