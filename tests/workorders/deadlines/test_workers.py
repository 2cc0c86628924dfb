"""The sweep through Redis and real Celery workers, against the test's PostgreSQL database."""

import os
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from tests.workers import celery_worker
from workorders.deadlines.sweep import sweep
from workorders.deadlines.tasks import sweep_deadlines
from workorders.models import Deadline, WorkOrderEvent

from .conftest import sh

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (SKIP LOCKED, shared test DB)"
    ),
]


def worker_env(**extra):
    """The worker must use the test database, not the development one."""
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"
    return {
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL", settings.REDIS_URL),
        "CONN_MAX_AGE": "0",
        **extra,
    }


def warnings_per_row(stage):
    counts = {}
    for event in WorkOrderEvent.objects.filter(action="deadline_warning"):
        if event.payload["stage"] == stage:
            counts[event.payload["deadline"]] = counts.get(event.payload["deadline"], 0) + 1
    return counts


def make_orders(build, n):
    orders = []
    for i in range(n):
        order = build.register(sh(2025, 3, 3, 10, 0), phone=f"139{i:08d}", account_no=f"33{i:08d}")
        build.classify(order, sh(2025, 3, 3, 10, 1))
        orders.append(order)
    return orders


def test_reminder_at_75_percent_sent_once_by_a_real_worker(build, tmp_path):
    # given a general order: dispatch due 10:30, reminder at 75 % = 10:22:30
    [order] = make_orders(build, 1)
    row = Deadline.objects.get(order=order, stage="dispatch")
    assert row.warn_at == sh(2025, 3, 3, 10, 22, 30)
    with celery_worker(env=worker_env(), log_path=tmp_path / "worker.log") as queue:
        early = sweep_deadlines.apply_async(kwargs={"at": "2025-03-03T10:22:00+08:00"}, queue=queue)
        assert early.get(timeout=60)["warnings"] == 0
        # when beat fires twice at (and after) the reminder time
        first = sweep_deadlines.apply_async(kwargs={"at": "2025-03-03T10:22:30+08:00"}, queue=queue)
        second = sweep_deadlines.apply_async(kwargs={"at": "2025-03-03T10:23:30+08:00"}, queue=queue)
        results = [first.get(timeout=60), second.get(timeout=60)]
    # then one reminder in all
    assert [r["warnings"] for r in results] == [1, 0]
    assert warnings_per_row("dispatch") == {row.pk: 1}
    event = WorkOrderEvent.objects.get(order=order, action="deadline_warning")
    assert (
        event.created_at == sh(2025, 3, 3, 10, 22, 30) and event.payload["due_at"] == row.due_at.isoformat()
    )


def test_concurrent_sweeps_on_two_workers_send_each_reminder_once(build, tmp_path):
    orders = make_orders(build, 24)
    rows = set(Deadline.objects.filter(stage="dispatch").values_list("pk", flat=True))
    assert len(rows) == 24
    env = worker_env(DEADLINE_SWEEP_BATCH="2", DEADLINE_SWEEP_MAX_BATCHES="1000")
    with (
        celery_worker(env=env, log_path=tmp_path / "w1.log", concurrency=2) as queue,
        celery_worker(env=env, log_path=tmp_path / "w2.log", concurrency=2, queue=queue),
    ):
        # four sweeps at once, in small batches so that they overlap
        pending = [
            sweep_deadlines.apply_async(kwargs={"at": "2025-03-03T10:25:00+08:00"}, queue=queue)
            for _ in range(4)
        ]
        results = [p.get(timeout=120) for p in pending]
    assert sum(r["warnings"] for r in results) == 24
    assert warnings_per_row("dispatch") == dict.fromkeys(rows, 1)
    assert len(orders) == 24


def test_a_sweep_skips_rows_locked_by_another_and_never_waits(build):
    make_orders(build, 6)
    now = sh(2025, 3, 3, 10, 25)
    locked_ids = list(
        Deadline.objects.filter(stage="dispatch").order_by("pk").values_list("pk", flat=True)[:2]
    )
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(Deadline.objects.select_for_update().filter(pk__in=locked_ids))
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    other = threading.Thread(target=hold)
    other.start()
    assert holding.wait(10)
    try:
        # when a sweep runs while another transaction holds two rows
        result = sweep(now=now)
    finally:
        release.set()
        other.join(10)
    # then it did the other four and left the two for the next run
    assert result.claimed == 4 and result.warnings == 4
    assert sweep(now=now + timedelta(seconds=30)).warnings == 2
    assert sorted(warnings_per_row("dispatch").values()) == [1] * 6
