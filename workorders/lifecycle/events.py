"""The one writer of work-order events, and the transition hooks it runs.

Every event (an action, the creation, the ``merged_from`` on the order a duplicate joins, a system
event such as a deadline warning, a sweep's batch of them) is written by ``write_events`` and runs
the ``WORKORDER_TRANSITION_HOOKS`` (``effects.transition_hooks``) inside the same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from accounts.models import User

from ..models import Status, WorkOrder, WorkOrderEvent
from .effects import transition_hooks


@dataclass
class NewEvent:
    """An event to write. ``from_status`` and ``to_status`` default to the order's status now."""

    order: WorkOrder
    action: str
    actor: User | None = None
    payload: dict = field(default_factory=dict)
    from_status: str | None = None
    to_status: str | None = None
    version: int | None = None  # default: the order's version now


def write_events(
    new: Sequence[NewEvent], *, now: datetime | None = None, batch: bool = False
) -> list[WorkOrderEvent]:
    """Write the events (one INSERT for a batch) and run the hooks for each, in order.

    Each event records its order's version as it is now; call this inside the transaction that
    made the change the events report. ``batch`` (the sweep's independent system events): each hook
    sees the whole batch at once, through its ``batch`` form when it has one (``hook.batch(pairs)``),
    instead of all hooks per event.
    """
    now = now or timezone.now()
    rows = [
        WorkOrderEvent(
            order=e.order,
            action=e.action,
            from_status=e.order.status if e.from_status is None else e.from_status,
            to_status=e.order.status if e.to_status is None else e.to_status,
            actor=e.actor,
            payload=e.payload,
            version=e.order.version if e.version is None else e.version,
            created_at=now,
        )
        for e in new
    ]
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    elif rows:
        rows = WorkOrderEvent.objects.bulk_create(rows)
    if batch:
        run_transition_hooks_batch([(e.order, row) for e, row in zip(new, rows, strict=True)])
        return rows
    for e, row in zip(new, rows, strict=True):
        run_transition_hooks(e.order, row)
    return rows


def write_event(
    order: WorkOrder,
    action: str,
    *,
    actor: User | None = None,
    payload: dict | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    now: datetime | None = None,
) -> WorkOrderEvent:
    """Write one event and run the hooks (``write_events`` for one)."""
    new = NewEvent(order, action, actor, payload or {}, from_status, to_status)
    return write_events([new], now=now)[0]


def record_creation(
    order: WorkOrder, *, actor: User | None, now: datetime, submitted: bool = False
) -> WorkOrderEvent:
    """The creation event of a new order (written by the intake service).

    ``submitted``: the order was written already submitted (in classification, one version on), as the
    ``submit`` action would leave it; its ``create`` and ``submit`` events are written together
    (one INSERT) and the hooks see them as one batch (one rules lookup, one statistics refresh):
    the same rows and events as creating and then submitting, at half the statements."""
    created = NewEvent(
        order,
        "create",
        actor,
        {"tracking_no": order.tracking_no, "channel": order.channel},
        from_status="",
        to_status=Status.INTAKE,
        version=order.version - 1 if submitted else None,
    )
    if not submitted:
        return write_events([created], now=now)[0]
    submit = NewEvent(order, "submit", actor, {}, from_status=Status.INTAKE, to_status=order.status)
    return write_events([created, submit], now=now, batch=True)[0]


def record_system_event(
    order: WorkOrder, action: str, *, payload: dict | None = None, now: datetime | None = None
) -> WorkOrderEvent:
    """An event the system records without changing the state (deadline warnings, breaches, …).

    Runs the transition hooks like any action (so notifications follow); call it inside the
    transaction that made the change it reports.
    """
    return write_event(order, action, payload=payload, now=now)


def run_transition_hooks(order: WorkOrder, event: WorkOrderEvent) -> None:
    """Call each ``WORKORDER_TRANSITION_HOOKS`` entry, in the list's order, inside the event's transaction.

    This is where deadlines are opened and closed, notification rows are written (outbox) and the
    aggregates move, so they commit or roll back with the change itself. A hook must not do network
    I/O: it registers that with ``transaction.on_commit``.
    """
    for hook in transition_hooks():
        hook(order=order, event=event)


def run_transition_hooks_batch(pairs: Sequence[tuple[WorkOrder, WorkOrderEvent]]) -> None:
    """Each hook over the whole batch, in the list's order: ``hook.batch(pairs)`` when the hook has
    a batch form, else the hook once per event."""
    if not pairs:
        return
    for hook in transition_hooks():
        batch = getattr(hook, "batch", None)
        if batch is not None:
            batch(pairs)
            continue
        for order, event in pairs:
            hook(order=order, event=event)
