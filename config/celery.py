"""The Celery application: configured from Django settings (namespace CELERY_)."""

import os

from celery import Celery, signals

from config.runtime import prepare_runtime_dirs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")


@signals.worker_init.connect
@signals.beat_init.connect
def _prepare_runtime_dirs(**_kwargs):
    prepare_runtime_dirs()


app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks module, and those of the workorders packages that own tasks.
app.autodiscover_tasks()
app.autodiscover_tasks(["workorders.deadlines", "workorders.stats", "workorders.quality"])


@app.task(name="config.ping", acks_late=True)
def ping(payload="pong"):
    """Round-trip check used by the health check and the broker test."""
    return payload
