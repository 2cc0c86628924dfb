from .celery import app as celery_app

# Observability: task ids in log lines, task durations in /metrics, JSON logs in the worker (no models).
from .observability import celery_signals  # noqa: F401 - connects its receivers on import

__all__ = ("celery_app",)
