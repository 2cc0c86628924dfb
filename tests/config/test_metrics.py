"""/metrics: who may scrape it, and what the operators read there."""

import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app
from config.observability import metrics
from notifications.models import Delivery, Message
from workorders.models import Deadline, ExportJob

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.7"  # TEST-NET-3: never one of the allowed addresses
LATENCY = "workorders_http_request_duration_seconds"


def scrape(client, **extra) -> dict:
    """{sample name: [(labels, value), ...]} of one scrape from loopback."""
    response = client.get("/metrics", REMOTE_ADDR=extra.pop("REMOTE_ADDR", "127.0.0.1"), **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples: dict = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: dict, name: str, **labels) -> float | None:
    for sample_labels, sample_value in samples.get(name, []):
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            return sample_value
    return None


# --- Access -------------------------------------------------------------------------------------


def test_refused_from_an_address_not_allowed_and_without_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 403
    wrong = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 403
    # A forwarded-for header is not an address: anyone can write it.
    forwarded = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert forwarded.status_code == 403


def test_refused_without_a_configured_token_even_when_one_is_sent(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403


def test_allowed_with_the_bearer_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    response = client.get(
        "/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus"
    )
    assert response.status_code == 200
    assert b"workorders_http_request_duration_seconds" in response.content


def test_allowed_from_loopback_and_configured_networks(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16", "not-an-address"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.3.4").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_healthz_stays_the_open_liveness_check(client):
    response = client.get("/healthz", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 200
    assert response.json()["database"]["ok"] is True


# --- What a scrape says -------------------------------------------------------------------------


def test_latency_histogram_of_a_view_just_requested(client, page_client_for, build):
    order = build.order("processing")
    labels = {"view": "workorders:detail", "method": "GET", "status": "2xx"}
    before = value(scrape(client), f"{LATENCY}_count", **labels)
    response = page_client_for("manager").get(reverse("workorders:detail", args=[order.pk]))
    assert response.status_code == 200
    samples = scrape(client)
    count = value(samples, f"{LATENCY}_count", **labels)
    assert count == (before or 0) + 1
    assert value(samples, f"{LATENCY}_sum", **labels) > 0
    assert value(samples, f"{LATENCY}_bucket", **labels, le="+Inf") == count
    # A request that reached no view is one label, whatever its path.
    unresolved_before = value(scrape(client), f"{LATENCY}_count", view="<unresolved>", status="4xx") or 0
    client.get("/no-such-page-1/")
    client.get("/no-such-page-2/")
    unresolved = value(scrape(client), f"{LATENCY}_count", view="<unresolved>", status="4xx")
    assert unresolved == unresolved_before + 2


def test_outbox_backlog_and_oldest_due_delivery(client, build):
    order = build.order("classification")
    Delivery.objects.all().delete()  # what the intake queued: this test counts its own
    message = Message.objects.create(event_type="test", order=order)
    now = timezone.now()

    def delivery(channel, **fields):
        return Delivery.objects.create(message=message, channel=channel, address="x@example.com", **fields)

    delivery("email", next_attempt_at=now - timedelta(minutes=10))
    delivery("email", next_attempt_at=now + timedelta(hours=1))  # waiting for its retry time
    delivery("sms", next_attempt_at=now - timedelta(minutes=1))
    delivery("email", state=Delivery.State.SENT, sent_at=now, next_attempt_at=now - timedelta(hours=3))
    delivery("sms", state=Delivery.State.DEAD, next_attempt_at=now - timedelta(hours=3))

    samples = scrape(client)
    assert value(samples, "workorders_outbox_backlog", channel="email") == 2
    assert value(samples, "workorders_outbox_backlog", channel="sms") == 1
    assert 600 <= value(samples, "workorders_outbox_oldest_due_seconds") < 660
    assert value(samples, "workorders_metrics_source_up", source="outbox") == 1

    Delivery.objects.update(state=Delivery.State.SENT)
    samples = scrape(client)
    assert value(samples, "workorders_outbox_backlog", channel="email") is None
    assert value(samples, "workorders_outbox_oldest_due_seconds") == 0


def test_sweep_lag_is_the_age_of_the_oldest_due_deadline_row(client, build):
    order = build.order("processing")
    rows = Deadline.objects.filter(order=order)
    assert rows.exists()
    now = timezone.now()
    rows.update(next_at=now + timedelta(hours=2))  # nothing due: the sweep has caught up
    samples = scrape(client)
    assert value(samples, "workorders_deadline_sweep_lag_seconds") == 0
    assert value(samples, "workorders_deadline_due_rows") == 0

    Deadline.objects.filter(pk=rows.first().pk).update(next_at=now - timedelta(minutes=5))
    samples = scrape(client)
    assert 300 <= value(samples, "workorders_deadline_sweep_lag_seconds") < 330
    assert value(samples, "workorders_deadline_due_rows") == 1
    assert value(samples, "workorders_metrics_source_up", source="deadlines") == 1


def test_export_and_report_durations(client, users, depts, settings, tmp_path):
    """Durations observed by the Celery task signals (stats code unchanged) and the exports of the
    last hour read from ExportJob."""
    from workorders.stats.tasks import generate_report, run_export

    settings.MEDIA_ROOT = tmp_path / "media"
    job = ExportJob.objects.create(user=users["manager"], filters={})
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=30))
    before = scrape(client)
    exports_before = value(before, "workorders_export_duration_seconds_count", outcome="success") or 0
    reports_before = value(
        before, "workorders_report_duration_seconds_count", kind="daily", outcome="success"
    )

    run_export.apply(args=[job.pk])
    generate_report.apply(args=["daily", depts["BJ"].pk], kwargs={"send": False})

    samples = scrape(client)
    assert value(samples, "workorders_export_duration_seconds_count", outcome="success") == exports_before + 1
    assert (
        value(samples, "workorders_report_duration_seconds_count", kind="daily", task="generate_report")
        == (reports_before or 0) + 1
    )
    task = "workorders.stats.export"
    assert value(samples, "workorders_celery_task_duration_seconds_count", task=task, outcome="success") >= 1
    assert value(samples, "workorders_export_last_hour_seconds_count") == 1
    assert 30 <= value(samples, "workorders_export_last_hour_seconds_sum") < 90
    assert 30 <= value(samples, "workorders_export_last_hour_max_seconds") < 90


# --- Celery queue lengths -----------------------------------------------------------------------


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
def test_queue_length_on_the_real_redis_broker(client, settings):
    import redis

    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"
    settings.METRICS_CELERY_QUEUES = [queue]
    for i in range(3):
        celery_app.send_task("tests.metrics.never_consumed", args=[i], queue=queue)
    try:
        samples = scrape(client)
        assert value(samples, "workorders_celery_queue_length", queue=queue) == 3
        assert value(samples, "workorders_celery_queue_length", queue="deliveries") is not None
        assert value(samples, "workorders_metrics_source_up", source="queues") == 1
    finally:
        redis.Redis.from_url(settings.REDIS_URL).delete(queue, f"_kombu.binding.{queue}")


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the embedded transport is used only without REDIS_URL")
def test_no_queue_gauges_on_the_embedded_filesystem_broker(client):
    samples = scrape(client)
    assert "workorders_celery_queue_length" not in samples
    assert value(samples, "workorders_metrics_source_up", source="queues") is None


def test_an_unreachable_redis_broker_never_fails_the_scrape(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")  # nothing listens
    t0 = time.monotonic()
    samples = scrape(client)
    assert time.monotonic() - t0 < 3
    assert "workorders_celery_queue_length" not in samples
    assert value(samples, "workorders_metrics_source_up", source="queues") == 0
    assert value(samples, "workorders_metrics_source_up", source="outbox") == 1


def test_a_failing_source_is_reported_and_the_rest_still_answers(client, monkeypatch):
    from config.observability import collectors

    def broken():
        raise RuntimeError("simulated")

    monkeypatch.setattr(collectors, "deadline_metrics", broken)
    samples = scrape(client)
    assert value(samples, "workorders_metrics_source_up", source="deadlines") == 0
    assert "workorders_deadline_sweep_lag_seconds" not in samples
    assert value(samples, "workorders_metrics_source_up", source="outbox") == 1


def test_multiprocess_mode_adds_up_the_processes(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR two processes' observations appear in one scrape."""
    from tests.helpers import run_python

    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), "VAR_DIR": str(tmp_path / "var")}
    observe = (
        "import django; django.setup();"
        "from config.observability.metrics import REQUEST_LATENCY;"
        "REQUEST_LATENCY.labels('workorders:list', 'GET', '2xx').observe(0.02)"
    )
    for _ in range(2):
        result = run_python(observe, env)
        assert result.returncode == 0, result.stderr
    read = (
        "import django; django.setup();"
        "from prometheus_client import generate_latest;"
        "from config.observability import metrics;"
        "from config.observability.collectors import StateCollector;"
        "StateCollector.collect = lambda self: iter(());"  # no database in this child
        "print(generate_latest(metrics.scrape_registry()).decode())"
    )
    result = run_python(read, env)
    assert result.returncode == 0, result.stderr
    families = {f.name: f for f in text_string_to_metric_families(result.stdout)}
    samples = families["workorders_http_request_duration_seconds"].samples
    count = [s.value for s in samples if s.name.endswith("_count") and s.labels["view"] == "workorders:list"]
    assert count == [2.0]
    assert any(p.name.startswith("histogram_") for p in (tmp_path / "prom").iterdir())
    assert metrics.MULTIPROC_DIR == ""  # this process stays in single-process mode
