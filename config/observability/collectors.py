"""Gauges read at scrape time: the outbox, the deadline sweep, the Celery queues, recent exports.

Each part is one or two small queries on an index (or a few Redis LLENs with a short timeout) and is
read on its own: a part that fails is logged, answers ``workorders_metrics_source_up{source} 0`` and
leaves the rest of the scrape intact. Nothing here ever makes ``/metrics`` fail.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily

logger = logging.getLogger(__name__)

# The sweep backlog is counted up to this many rows (the count itself must stay cheap when it is large).
DUE_ROWS_CAP = 10_000
EXPORT_WINDOW = timedelta(hours=1)
# kombu's Redis transport keeps a queue's messages of priority p > 0 under "<queue>\x06\x16<p>".
KOMBU_PRIORITY_SEPARATOR = "\x06\x16"
KOMBU_PRIORITY_STEPS = (0, 3, 6, 9)

_redis_clients: dict = {}


class StateCollector:
    """prometheus_client custom collector: computes its gauges on every ``collect()``."""

    def describe(self):
        return []  # registering must not query anything

    def collect(self):
        up = GaugeMetricFamily(
            "workorders_metrics_source_up",
            "1 when this scrape could read the source (database part or broker), 0 when it failed.",
            labels=["source"],
        )
        for source, read in (
            ("outbox", outbox_metrics),
            ("deadlines", deadline_metrics),
            ("exports", export_metrics),
            ("queues", queue_metrics),
        ):
            try:
                families = read()
            except Exception as exc:  # a scrape never fails: it says which source it could not read
                # The broker being down is /healthz's news ("degraded"); a database part failing is not.
                level = logging.DEBUG if source == "queues" else logging.WARNING
                logger.log(level, "metrics: reading %s failed: %s", source, exc)
                up.add_metric([source], 0)
                continue
            if families is None:  # not applicable (the queues on the embedded filesystem broker)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up


def outbox_metrics() -> list:
    """Pending deliveries per channel, and how long the oldest due one has waited.

    Both read ``notify_delivery_state`` (state, created_at) and ``notify_delivery_due``
    (next_attempt_at, partial on pending/sending rows).
    """
    from notifications.models import Delivery  # noqa: PLC0415 - models load after Django's apps

    now = timezone.now()
    pending = Delivery.State.PENDING
    backlog = GaugeMetricFamily(
        "workorders_outbox_backlog",
        "Deliveries waiting in the outbox (state pending), per channel.",
        labels=["channel"],
    )
    rows = Delivery.objects.filter(state=pending).values("channel").annotate(n=Count("id")).order_by()
    for row in rows:
        backlog.add_metric([row["channel"]], row["n"])
    oldest = Delivery.objects.filter(state=pending, next_attempt_at__lte=now).aggregate(
        oldest=Min("next_attempt_at")
    )["oldest"]
    age = GaugeMetricFamily(
        "workorders_outbox_oldest_due_seconds",
        "How long the oldest pending delivery has been due (now - next_attempt_at); 0 when none is due.",
        value=_seconds_since(oldest, now),
    )
    return [backlog, age]


def deadline_metrics() -> list:
    """The sweep's lag: now - the oldest ``next_at`` that is due (``deadline_next_open`` index)."""
    from workorders.models import Deadline  # noqa: PLC0415 - models load after Django's apps

    now = timezone.now()
    due = Deadline.objects.filter(next_at__lte=now)
    oldest = due.aggregate(oldest=Min("next_at"))["oldest"]
    lag = GaugeMetricFamily(
        "workorders_deadline_sweep_lag_seconds",
        "Age of the oldest deadline row that is due and not yet swept (now - min(next_at) over "
        "next_at <= now); 0 when the sweep has caught up. It rises when the sweep falls behind.",
        value=_seconds_since(oldest, now),
    )
    count = GaugeMetricFamily(
        "workorders_deadline_due_rows",
        f"Deadline rows due and not yet swept (counted up to {DUE_ROWS_CAP}).",
        value=due.order_by()[:DUE_ROWS_CAP].count() if oldest is not None else 0,
    )
    return [lag, count]


def export_metrics() -> list:
    """Exports finished in the last hour, from request to file (``created_at`` to ``finished_at``).

    It includes the time the job waited in the queue, which the worker's run-time histogram
    (``workorders_export_duration_seconds``) does not see; and it needs no worker metrics in the
    scrape. ExportJob has a row per export a user started: few rows, no index needed.
    """
    from workorders.models import ExportJob  # noqa: PLC0415 - models load after Django's apps

    now = timezone.now()
    rows = ExportJob.objects.filter(finished_at__gte=now - EXPORT_WINDOW).values_list(
        "created_at", "finished_at"
    )
    durations = [max((finished - created).total_seconds(), 0.0) for created, finished in rows]
    summary = SummaryMetricFamily(
        "workorders_export_last_hour_seconds",
        "Exports finished in the last hour: count and total seconds from the request to the file "
        "(queue wait included).",
        count_value=len(durations),
        sum_value=sum(durations),
    )
    longest = GaugeMetricFamily(
        "workorders_export_last_hour_max_seconds",
        "The longest of the exports finished in the last hour, request to file; 0 when none.",
        value=max(durations, default=0.0),
    )
    return [summary, longest]


def queue_names() -> list[str]:
    """The queues the project's tasks go to: Celery's default, declared and routed queues,
    ``NOTIFY_QUEUE``, and ``METRICS_CELERY_QUEUES``."""
    from config.celery import app  # noqa: PLC0415 - the app reads settings when it is first used

    conf = app.conf
    names = [conf.task_default_queue or "celery"]
    for queue in conf.task_queues or ():
        names.append(getattr(queue, "name", None) or (queue.get("name") if isinstance(queue, dict) else None))
    routes = conf.task_routes or {}
    for route in routes.values() if isinstance(routes, dict) else ():
        if isinstance(route, dict):
            names.append(route.get("queue"))
    names.append(getattr(settings, "NOTIFY_QUEUE", ""))
    names.extend(getattr(settings, "METRICS_CELERY_QUEUES", ()))
    return sorted({str(getattr(n, "name", n)) for n in names if n})


def queue_metrics() -> list | None:
    """LLEN of each queue on the Redis broker; None (no gauges) on another transport.

    An unreachable or slow broker raises after ``METRICS_REDIS_TIMEOUT`` (0.5 s, no retry): the
    scrape then says ``workorders_metrics_source_up{source="queues"} 0`` and goes on.
    """
    from config.celery import app  # noqa: PLC0415 - the app reads settings when it is first used

    url = app.conf.broker_url or ""
    if urlsplit(url).scheme not in ("redis", "rediss"):
        return None  # the embedded filesystem transport: nothing to ask
    options = app.conf.broker_transport_options or {}
    prefix = options.get("global_keyprefix", "") or ""
    steps = options.get("priority_steps") or KOMBU_PRIORITY_STEPS
    names = queue_names()
    pipe = _redis_client(url).pipeline(transaction=False)
    for name in names:
        for step in steps:
            pipe.llen(f"{prefix}{name}{KOMBU_PRIORITY_SEPARATOR}{step}" if step else f"{prefix}{name}")
    sizes = pipe.execute()
    lengths = GaugeMetricFamily(
        "workorders_celery_queue_length",
        "Messages waiting in a Celery queue on the Redis broker (all priorities).",
        labels=["queue"],
    )
    for i, name in enumerate(names):
        lengths.add_metric([name], sum(sizes[i * len(steps) : (i + 1) * len(steps)]))
    return [lengths]


def _redis_client(url: str):
    import redis  # noqa: PLC0415 - only with a Redis broker
    from redis.backoff import NoBackoff  # noqa: PLC0415
    from redis.retry import Retry  # noqa: PLC0415

    client = _redis_clients.get(url)
    if client is None:
        timeout = getattr(settings, "METRICS_REDIS_TIMEOUT", 0.5)
        client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        _redis_clients[url] = client
    return client


def _seconds_since(moment, now) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment is not None else 0.0
