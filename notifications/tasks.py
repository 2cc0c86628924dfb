"""Celery tasks: thin, idempotent, ids only."""

from celery import shared_task

from . import services


@shared_task(name="notifications.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(ids):
    """Send these outbox rows; a second run finds them claimed or sent and does nothing."""
    return services.deliveries_run(ids=ids)


@shared_task(name="notifications.requeue", acks_late=True, ignore_result=True)
def requeue_undelivered():
    """Beat: queue pending deliveries that are due (after a broker or worker outage, backoff, quiet hours)."""
    return services.deliveries_requeue()
