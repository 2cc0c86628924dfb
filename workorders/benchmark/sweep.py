"""The sweep row: M deadline rows of the loaded open orders fall due now, one real sweep takes them.

The rows are running deadlines of M different open orders that no sweep has touched yet (neither
reminded nor breached); half of them reach their reminder now, half breach now. Pending rows that
fell due since the data was loaded (time passed) are moved a day ahead first, so the sweep sees
exactly the M prepared rows among all the open ones. The sweep runs with the real notification
rules, users, duty roster and hooks, in this process, as ``sweep_deadlines`` would; its effects
(events, messages, overdue flags) stay, so the next run prepares other rows; what it publishes to
the broker goes to a queue of the benchmark's own.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app as celery_app
from workorders.deadlines.calendar import get_calendar
from workorders.deadlines.engine import sync_next_due_many
from workorders.deadlines.sweep import sweep
from workorders.models import Deadline, Status, WorkOrder


@dataclass
class SweepFigures:
    due: int
    open_orders: int
    seconds: float
    queries: int
    result: dict


def prepare(due: int, now) -> list[int]:
    """Make ``due`` untouched running rows (one per open order) due as of ``now``; their ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workorders_deadline SET next_at = %s WHERE next_at <= %s",
            [now + timedelta(days=1), now],
        )
        cursor.execute(
            "SELECT id FROM (SELECT DISTINCT ON (d.order_id) d.id FROM workorders_deadline d "
            "JOIN workorders_workorder w ON w.id = d.order_id "
            "WHERE d.next_at IS NOT NULL AND d.met_at IS NULL AND d.cancelled_at IS NULL "
            "AND d.warned_at IS NULL AND d.breached_at IS NULL AND d.held_since IS NULL "
            "AND w.status <> 'closed' ORDER BY d.order_id, d.due_at) x ORDER BY id LIMIT %s",
            [due],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return ids
        # Even rows: the reminder is due (due in an hour). Odd rows: the due time passed an hour ago.
        cursor.execute(
            "UPDATE workorders_deadline SET "
            "due_at = CASE WHEN id %% 2 = 0 THEN %s::timestamptz + interval '1 hour' "
            "ELSE %s::timestamptz - interval '1 hour' END, "
            "warn_at = %s::timestamptz - interval '2 hours', "
            "next_at = %s::timestamptz - interval '1 minute' WHERE id = ANY(%s)",
            [now, now, now, now, ids],
        )
    # The queues' next due time follows the moved rows, as the deadline effects would keep it.
    sync_next_due_many(Deadline.objects.filter(pk__in=ids).values_list("order_id", flat=True))
    return ids


@contextmanager
def publishing_to(queue: str):
    """Every Celery message published meanwhile goes to ``queue`` (which no worker consumes): a
    worker of another database must not act on the benchmark's order ids. Publishing costs the same."""
    send_task = celery_app.send_task

    def send_to_queue(*args, **kwargs):
        kwargs["queue"] = queue
        return send_task(*args, **kwargs)

    with mock.patch.object(celery_app, "send_task", send_to_queue):
        yield


def run(due: int, *, queue: str) -> SweepFigures:
    now = timezone.now()
    ids = prepare(due, now)
    open_orders = WorkOrder.objects.exclude(status=Status.CLOSED).count()
    get_calendar()  # warm, as a worker that has swept before (the calendar, the cache client loaded)
    with publishing_to(queue):
        celery_app.send_task("config.ping")  # and its connection to the broker open
    with publishing_to(queue), CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        result = sweep(now=now, max_batches=1_000_000)
        seconds = time.perf_counter() - t0
    return SweepFigures(
        due=len(ids),
        open_orders=open_orders,
        seconds=seconds,
        queries=len(queries.captured_queries),
        result=result.as_dict(),
    )
