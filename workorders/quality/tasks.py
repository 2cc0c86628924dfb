"""The weekly sample, run by beat (Monday 02:00 Asia/Shanghai: the week just ended).

Beat entry (config/settings.py CELERY_BEAT_SCHEDULE)::

    "quality-weekly-sample": {
        "task": "workorders.quality.sample_week",
        "schedule": crontab(minute=0, hour=2, day_of_week=1),
    },

and ``"workorders.quality"`` in config/celery.py's ``autodiscover_tasks([...])`` list.
"""

from celery import shared_task

from .services import previous_week, quality_sample


@shared_task(name="workorders.quality.sample_week", acks_late=True, reject_on_worker_lost=True)
def sample_week(week: str | None = None) -> int:
    """Samples ``week`` ('YYYY-Www'; default: the week before today). Idempotent: a week sampled
    already is left as it is. Returns the number of inspections created."""
    _round, created = quality_sample(week=week or previous_week())
    return created
