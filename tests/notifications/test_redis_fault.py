"""A Redis the test owns (cache and broker at once) is stopped while agents and dispatchers work
through the API: every request answers 2xx/4xx, every complaint is kept, and once Redis returns
every notification reaches its receiver exactly once (issue 13, items 1 and 14)."""

import collections
import json
import shutil

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from complaints.models import Complaint
from notifications import services
from notifications.events import CUSTOMER_EVENT_TYPES
from notifications.models import Delivery, Message, WebhookSubscription
from tests.builders import category, intake_body
from tests.workers import celery_worker, wait_for
from workorders.models import WorkOrder

from .broker import use_broker
from .servers import free_port, webhook_sink
from .test_broker import IS_POSTGRES, _database_url, _start_redis, _stop


def _clients(users):
    clients = {}
    for name in ("agent", "dispatcher", "handler2"):
        clients[name] = APIClient(raise_request_exception=False)
        clients[name].force_authenticate(users[name])
    return clients


def _work(clients, statuses, n):
    """One agent's and one dispatcher's minute: intake, a look-up, the queue, a classification."""
    response = clients["agent"].post(
        "/api/v1/complaints/", intake_body(content=f"第{n}次停电"), format="json"
    )
    statuses.append(("intake", response.status_code))
    if response.status_code != 201:
        return
    tracking_no = response.json()["tracking_no"]
    statuses.append(
        ("search", clients["agent"].get("/api/v1/workorders/", {"search": tracking_no}).status_code)
    )
    statuses.append(("list", clients["dispatcher"].get("/api/v1/workorders/").status_code))
    order = WorkOrder.objects.get(complaint__tracking_no=tracking_no)
    response = clients["dispatcher"].post(
        f"/api/v1/workorders/{order.pk}/classify/",
        {"version": order.version, "category": category("040101").pk, "level": "general"},
        format="json",
    )
    statuses.append(("classify", response.status_code))
    statuses.append(("me", clients["handler2"].get("/api/v1/me/").status_code))


@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL: the worker process must see the rows")
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server on PATH")
@pytest.mark.real_broker
@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requests_during_a_redis_outage_answer_and_nothing_is_lost_or_sent_twice(tmp_path, settings):
    from accounts.demo import seed_organisation

    settings.NOTIFY_REQUEUE_GRACE_SECONDS = 0
    _depts, seeded = seed_organisation(password="x")
    users = {u.username: u for u, _ in seeded}
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    redis_log = open(tmp_path / "redis.log", "w")  # noqa: SIM115 - closed in finally
    redis_proc = _start_redis(port, redis_log)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.5},
        }
    }
    caches._settings = None  # noqa: SLF001
    env = {
        "REDIS_URL": redis_url,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "NOTIFY_QUEUE": "",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",  # the receiver below listens on 127.0.0.1
        "LOG_LEVEL": "INFO",
    }
    statuses = []
    try:
        with (
            webhook_sink() as sink,
            use_broker(redis_url),
            celery_worker(env=env, queue="deliveries", log_path=tmp_path / "worker.log"),
        ):
            WebhookSubscription.objects.create(url=sink.url, secret="s", kind="generic")
            clients = _clients(users)

            # phase 1: Redis up
            for n in range(2):
                _work(clients, statuses, n)

            # phase 2: Redis (cache and broker) goes away in the middle of the work
            _stop(redis_proc)
            services.broker_reset()
            for n in range(2, 6):
                _work(clients, statuses, n)
            outage = list(statuses[-20:])
            assert outage and all(code < 500 for _, code in outage), outage

            # phase 3: Redis is back, empty; the beat job queues what waited
            redis_proc = _start_redis(port, redis_log)
            assert wait_for(lambda: services.deliveries_requeue()["queued"], timeout=30)
            assert wait_for(lambda: not Delivery.objects.exclude(state="sent").exists(), timeout=90), (
                tmp_path / "worker.log"
            ).read_text()[-3000:]
    finally:
        _stop(redis_proc)
        redis_log.close()
        caches._settings = None  # noqa: SLF001

    assert all(code in (200, 201) for _, code in statuses), statuses
    assert Complaint.objects.count() == 6  # nothing lost
    assert WorkOrder.objects.filter(category__code="040101").count() == 6
    received = collections.Counter(json.loads(r["body"])["id"] for r in sink.requests)
    # (the customer's SMS, issue 15, are no webhook events)
    staff = Message.objects.exclude(event_type__in=CUSTOMER_EVENT_TYPES)
    expected = {str(u) for u in staff.values_list("uuid", flat=True)}
    assert set(received) == expected and expected
    assert all(count == 1 for count in received.values()), received.most_common(3)
