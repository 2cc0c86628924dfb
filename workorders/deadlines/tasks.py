"""Celery tasks of the deadline engine: thin, idempotent, taking ids or ISO times."""

from celery import Task, shared_task
from django.utils.dateparse import parse_datetime

from .sweep import raise_level_for_breaches, sweep


@shared_task(name="workorders.sweep_deadlines", bind=True, acks_late=True, reject_on_worker_lost=True)
def sweep_deadlines(self: Task, at: str | None = None) -> dict:
    """One sweep (beat runs it every minute). Safe to run twice or on several workers at once:
    rows are claimed with FOR UPDATE SKIP LOCKED and each step is recorded once."""
    now = parse_datetime(at) if at else None
    result = sweep(now=now)
    if result.more:  # bounded work per run: hand the rest to the next run on the same queue
        queue = (self.request.delivery_info or {}).get("routing_key")
        self.apply_async(kwargs={"at": at}, queue=queue) if queue else self.apply_async(kwargs={"at": at})
    return result.as_dict()


@shared_task(name="workorders.raise_level_after_breaches", acks_late=True, reject_on_worker_lost=True)
def raise_level_after_breaches(order_id: int) -> bool:
    """One order's level rise: what the sweep published before it sent one message per batch
    (``raise_levels_after_breaches``); kept for messages still queued across an upgrade."""
    return raise_level_for_breaches(order_id)


@shared_task(name="workorders.raise_levels_after_breaches", acks_late=True, reject_on_worker_lost=True)
def raise_levels_after_breaches(order_ids: list[int]) -> int:
    """The level rise of a sweep batch's marked orders (one message per batch); the number raised.
    Each order in its own transaction, idempotent (the mark is cleared once)."""
    return sum(raise_level_for_breaches(order_id) for order_id in order_ids)
