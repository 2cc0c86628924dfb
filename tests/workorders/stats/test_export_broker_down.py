"""An export asked for while the broker is down: the request answers, the job waits, and the beat
job queues it once the broker is back (issue 13, item 1)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.notifications.broker import use_broker
from tests.notifications.servers import free_port
from workorders.models import ExportJob
from workorders.stats import exports


@pytest.mark.django_db
def test_an_export_asked_for_with_the_broker_down_is_queued_later(
    api_client_for, django_capture_on_commit_callbacks, monkeypatch, settings
):
    api = api_client_for("manager")
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"), django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/exports/", {"status": ["closed"]}, format="json")
    assert response.status_code == 202, response.content[:300]
    job = ExportJob.objects.get(pk=response.json()["id"])
    assert job.status == ExportJob.State.PENDING

    queued = []
    monkeypatch.setattr(exports.run_export, "apply_async", lambda args, kwargs, **kw: queued.append(args[0]))
    assert exports.exports_requeue() == 0  # too fresh: its own task may still be on its way
    later = timezone.now() + dt.timedelta(seconds=settings.EXPORT_REQUEUE_AFTER_SECONDS + 1)
    assert exports.exports_requeue(now=later) == 1 and queued == [job.pk]

    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.State.DONE)
    assert exports.exports_requeue(now=later) == 0  # a built job is never queued again
