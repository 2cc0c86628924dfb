"""The work-order event writer and the transition hooks it runs.

Every event (an action, the creation, a system event such as a deadline warning) is written here
and runs the ``WORKORDER_TRANSITION_HOOKS`` inside the same transaction.
"""

from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from ..models import WorkOrder, WorkOrderEvent


def record_creation(order: WorkOrder, *, actor, now):
    """The creation event of a new order (written by the intake service)."""
    event = WorkOrderEvent.objects.create(
        order=order,
        action="create",
        from_status="",
        to_status=order.status,
        actor=actor,
        payload={"tracking_no": order.tracking_no, "channel": order.channel},
        version=order.version,
        created_at=now,
    )
    run_transition_hooks(order, event)


def record_system_event(order: WorkOrder, action: str, *, payload=None, now=None) -> WorkOrderEvent:
    """An event the system records without changing the state (deadline warnings, breaches, …).

    Runs the transition hooks like any action (so notifications follow); call it inside the
    transaction that made the change it reports.
    """
    event = WorkOrderEvent.objects.create(
        order=order,
        action=action,
        from_status=order.status,
        to_status=order.status,
        actor=None,
        payload=payload or {},
        version=order.version,
        created_at=now or timezone.now(),
    )
    run_transition_hooks(order, event)
    return event


@cache
def _hooks(paths: tuple) -> list:
    return [import_string(path) for path in paths]


def run_transition_hooks(order: WorkOrder, event: WorkOrderEvent):
    """Call each ``WORKORDER_TRANSITION_HOOKS`` function inside the transition's transaction.

    This is where deadlines are opened and closed and notification rows are written (outbox), so
    they commit or roll back with the change itself. A hook must not do network I/O: it registers
    that with ``transaction.on_commit``.
    """
    for hook in _hooks(tuple(settings.WORKORDER_TRANSITION_HOOKS)):
        hook(order=order, event=event)
