"""Measure notification delivery throughput to a local webhook sink (design.md budget: ≥ 500/s).

    python manage.py benchmark_notifications [--count 5000] [--batch 100] [--skip-worker]

Creates ``count`` pending webhook deliveries to a generic (signed) subscription whose URL is an
HTTP sink started in this process, then delivers them twice over:

1. in-process: ``deliveries_run`` called in batches (the cost of claim, sign, POST, record);
2. through Celery: one worker process (solo pool) started on a private queue; the tasks are
   published in batches and the clock stops when the last row is marked sent.

The sink listens on 127.0.0.1, so the run allows webhooks to private networks for itself (in this
process, and ``WEBHOOK_ALLOW_PRIVATE_NETWORKS=1`` in the worker's environment).

Everything it creates is deleted at the end. Run it against PostgreSQL and Redis for the figure
that counts (``DATABASE_URL``/``REDIS_URL``); on the embedded SQLite/filesystem mode it still runs.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from accounts.demo import seed_organisation
from notifications.models import Delivery, Message, WebhookSubscription
from notifications.services import deliveries_run
from notifications.tasks import deliver
from workorders.intake.services import complaint_register
from workorders.models import WorkOrder

BUDGET = 500.0


class _Sink:
    def __init__(self):
        self.count = 0
        self.last_at = 0.0
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.count += 1
                    sink.last_at = time.perf_counter()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sink"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _database_url():
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Command(BaseCommand):
    help = "Measure notification delivery throughput to a local webhook sink."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=5000)
        parser.add_argument("--batch", type=int, default=settings.NOTIFY_BATCH_SIZE)
        parser.add_argument("--skip-worker", action="store_true", help="only the in-process figure")

    def handle(self, *args, **options):
        with override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=True):  # the sink is on 127.0.0.1
            self._run(**options)

    def _run(self, *, count, batch, skip_worker, **options):
        order = WorkOrder.objects.order_by("pk").first()
        if order is None:
            order = self._make_order()
        sink = _Sink()
        sub = WebhookSubscription.objects.create(
            name="benchmark",
            url=sink.url,
            secret="bench",
            kind="generic",
            events=["benchmark"],
            is_active=False,
        )
        self.stdout.write(
            f"database: {connection.vendor}; broker: {settings.CELERY_BROKER_URL.split('@')[-1]}; "
            f"deliveries: {count}; batch: {batch}"
        )
        try:
            ids = self._rows(order, sub, count)
            started = time.perf_counter()
            for start in range(0, len(ids), batch):
                deliveries_run(ids=ids[start : start + batch])
            elapsed = time.perf_counter() - started
            self._report("in-process (deliveries_run)", count, elapsed, sink.count)
            if not skip_worker:
                sink.count = 0
                ids = self._rows(order, sub, count)
                self._through_worker(ids, batch, count, sink)
        finally:
            Message.objects.filter(event_type="benchmark").delete()
            sub.delete()
            sink.server.shutdown()

    def _make_order(self):
        _depts, users = seed_organisation()
        agent = next(u for u, role in users if role == "agent")
        return complaint_register(
            actor=agent,
            channel="phone_95598",
            customer_name="基准测试",
            phone="13900000000",
            address="基准测试地址",
            content="基准测试",
            demand="基准测试",
        ).workorder

    def _rows(self, order, sub, count):
        now = timezone.now()
        messages = Message.objects.bulk_create(
            [
                Message(event_type="benchmark", order=order, data={"n": i}, created_at=now)
                for i in range(count)
            ],
            batch_size=1000,
        )
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(
                    message=m,
                    channel="webhook",
                    subscription=sub,
                    address=sub.url,
                    next_attempt_at=now,
                    created_at=now,
                )
                for m in messages
            ],
            batch_size=1000,
        )
        return [d.pk for d in deliveries]

    def _through_worker(self, ids, batch, count, sink):
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        log_path = Path(tempfile.gettempdir()) / f"{queue}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "LOG_LEVEL": "WARNING",
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",  # the sink is on 127.0.0.1
        }
        if settings.REDIS_URL:
            env["REDIS_URL"] = settings.REDIS_URL
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--pool",
                    "solo",
                    "-Q",
                    queue,
                    "-n",
                    f"{queue}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while "ready." not in log_path.read_text():
                if proc.poll() is not None or time.monotonic() > deadline:
                    self.stderr.write("worker did not start:\n" + log_path.read_text()[-2000:])
                    return
                time.sleep(0.2)
            started = time.perf_counter()
            for start in range(0, len(ids), batch):
                deliver.apply_async(args=[ids[start : start + batch]], queue=queue, ignore_result=True)
            published = time.perf_counter() - started
            deadline = time.monotonic() + max(120, count / 50)
            while sink.count < count and time.monotonic() < deadline:
                time.sleep(0.2)  # watch the sink's counter, not the database, to leave the CPU to the worker
            pending = Delivery.objects.filter(pk__in=ids).exclude(state=Delivery.State.SENT)
            while pending.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            elapsed = max(sink.last_at, started) - started
            self.stdout.write(
                f"  published {len(ids)} rows as {(len(ids) + batch - 1) // batch} tasks in {published:.2f} s"
            )
            self._report("one Celery worker (solo pool)", count, elapsed, sink.count, unsent=pending.count())
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log_path.unlink(missing_ok=True)

    def _report(self, label, count, elapsed, received, unsent=0):
        rate = count / elapsed if elapsed else float("inf")
        verdict = "within" if rate >= BUDGET and not unsent else "OUTSIDE"
        self.stdout.write(
            f"{label}: {count} deliveries in {elapsed:.2f} s = {rate:.0f}/s "
            f"(sink received {received}, unsent {unsent}); budget ≥ {BUDGET:.0f}/s: {verdict}"
        )
