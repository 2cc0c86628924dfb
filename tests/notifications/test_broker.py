"""When Redis is down, transitions still succeed; when it returns, nothing is lost or sent twice."""

import collections
import json
import logging
import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from notifications import services, tasks
from notifications.events import CUSTOMER_EVENT_TYPES
from notifications.models import Delivery, Message, WebhookSubscription
from tests.workers import celery_worker, wait_for

from .broker import use_broker
from .conftest import act, new_order
from .servers import free_port, webhook_sink

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.real_broker
@pytest.mark.django_db
def test_a_transition_succeeds_when_the_broker_is_unreachable(
    users, depts, caplog, django_capture_on_commit_callbacks
):
    WebhookSubscription.objects.create(url="http://127.0.0.1:9/hook", secret="x")
    dead_port = free_port()
    with (
        use_broker(f"redis://127.0.0.1:{dead_port}/0"),
        caplog.at_level(logging.WARNING, "notifications.services"),
    ):
        # when: two transitions while nobody listens on the broker port
        with django_capture_on_commit_callbacks(execute=True):
            order = new_order(users)
        with django_capture_on_commit_callbacks(execute=True):
            act(order, "urge", users["agent"], comment="催一下")
    # then: both committed, the outbox rows wait, and the broker was tried once (then skipped for a while)
    order.refresh_from_db()
    assert order.urge_count == 1
    # the webhook's create, submit and urge, and the customer's acknowledgement SMS (issue 15)
    assert Delivery.objects.filter(state="pending").count() == 4
    warnings = [r for r in caplog.records if "stay pending" in r.getMessage()]
    assert len(warnings) == 1


def _start_redis(port, log):
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)

    def up():
        try:
            return client.ping()
        except redis.exceptions.ConnectionError:
            return False

    assert wait_for(up, timeout=20), "redis-server did not start"
    return proc


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL: a worker process must see the test's committed rows "
    "(SQLite's test database is in memory)",
)
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server on PATH")
@pytest.mark.real_broker
@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_redis_outage_during_transitions_loses_and_duplicates_nothing(tmp_path, settings):
    from accounts.demo import seed_organisation

    settings.NOTIFY_REQUEUE_GRACE_SECONDS = 0
    _depts, seeded = seed_organisation(password="x")
    users = {u.username: u for u, _ in seeded}
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    redis_log = open(tmp_path / "redis.log", "w")
    redis_proc = _start_redis(port, redis_log)
    worker_log = tmp_path / "worker.log"
    env = {
        "REDIS_URL": broker_url,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "NOTIFY_QUEUE": "",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",  # the receiver listens on 127.0.0.1
        "LOG_LEVEL": "INFO",
    }
    try:
        with (
            webhook_sink() as sink,
            use_broker(broker_url),
            # NOTIFY_QUEUE empty: the deliveries take their routed queue (settings.CELERY_TASK_ROUTES)
            celery_worker(env=env, queue="deliveries", log_path=worker_log),
        ):
            WebhookSubscription.objects.create(url=sink.url, secret="s", kind="generic")

            def all_sent():
                return not Delivery.objects.exclude(state="sent").exists()

            # phase 1: Redis up
            orders = [new_order(users, content=f"第{i}次停电") for i in range(3)]
            assert wait_for(all_sent, timeout=60), worker_log.read_text()[-3000:]
            before = Delivery.objects.count()

            # phase 2: Redis goes away; transitions go on
            _stop(redis_proc)
            services.broker_reset()
            for order in orders:
                act(order, "urge", users["agent"], comment="停电期间催办")
            orders.append(new_order(users, content="Redis 停机时受理"))
            assert Delivery.objects.filter(state="pending").count() == Delivery.objects.count() - before > 0

            # phase 3: Redis is back (empty); the beat job picks up what is pending
            redis_proc = _start_redis(port, redis_log)
            assert wait_for(lambda: services.deliveries_requeue()["queued"], timeout=30)
            assert wait_for(all_sent, timeout=90), worker_log.read_text()[-3000:]

            # a stray second run of every delivery (as after a lost ack) sends nothing again
            ids = list(Delivery.objects.values_list("pk", flat=True))
            result = tasks.deliver.apply_async(args=[ids], ignore_result=True)
            assert wait_for(lambda: f"{result.id}] succeeded" in worker_log.read_text(), timeout=60)
    finally:
        _stop(redis_proc)
        redis_log.close()

    # then: every notification event reached the receiver exactly once
    received = collections.Counter(json.loads(r["body"])["id"] for r in sink.requests)
    # (the customer's SMS, issue 15, are no webhook events)
    staff = Message.objects.exclude(event_type__in=CUSTOMER_EVENT_TYPES)
    expected = {str(u) for u in staff.values_list("uuid", flat=True)}
    assert set(received) == expected
    assert all(count == 1 for count in received.values()), received.most_common(3)
    assert len(expected) == 3 * 2 + 3 + 2  # create+submit ×3, three urges, one more create+submit
