"""A task really travels through a broker to a worker process and back."""

import pytest
from django.conf import settings

from config.celery import ping
from tests.workers import celery_worker, wait_for

pytestmark = pytest.mark.worker


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
def test_task_round_trip_through_redis_and_a_worker(tmp_path):
    with celery_worker(log_path=tmp_path / "worker.log") as queue:
        result = ping.apply_async(args=["你好, worker"], queue=queue)
        assert result.get(timeout=30) == "你好, worker"
    assert "config.ping" in (tmp_path / "worker.log").read_text()


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the embedded transport is used only without REDIS_URL")
def test_task_round_trip_through_filesystem_broker(tmp_path):
    with celery_worker(log_path=tmp_path / "worker.log") as queue:
        result = ping.apply_async(args=["filesystem"], queue=queue)
        log = tmp_path / "worker.log"
        assert wait_for(lambda: f"{result.id}] succeeded" in log.read_text()), log.read_text()
        assert "'filesystem'" in log.read_text()
