"""Writes on work orders that are not lifecycle actions: creation, the risk flags."""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from complaints.models import Complaint
from config.errors import DomainError, page_message

from .lifecycle import perform
from .lifecycle.events import record_creation, write_event
from .models import Status, WorkOrder
from .rules import workorder_detect_repeat, workorder_minimum_level
from .selectors import workorders_visible_to

# Risk flags that no lifecycle action owns: an administrator may correct them by hand.
RISK_FLAGS = ("is_key_customer", "is_sensitive", "upgrade_tendency")


def workorder_create(
    *, complaint: Complaint, unit, actor, now, related_to: WorkOrder | None = None, submit: bool = False
) -> WorkOrder:
    """Open the complaint's order with the level its facts require (repeat, key customer, …), then
    record its creation: whatever the creation announces (the 快报) sees the level after the floors.

    ``submit``: open it submitted, as the ``submit`` action leaves an order (in classification,
    one version on, its ``submit`` event after ``create``); the caller checked what that action checks
    (``lifecycle.actions.check_submittable``, the agent's role)."""
    customer = complaint.customer
    order = WorkOrder(
        complaint=complaint,
        tracking_no=complaint.tracking_no,
        channel=complaint.channel,
        customer=customer,
        received_at=complaint.received_at,
        unit=unit,
        received_by=actor,
        category=complaint.category,
        is_key_customer=customer.is_key_customer,
        is_sensitive=customer.is_sensitive,
        upgrade_tendency=complaint.upgrade_tendency,
        related_to=related_to,
    )
    # The rules read the unsaved order (its customer, category, address, the order it relates to),
    # so the row is written once, with its level.
    workorder_detect_repeat(order)
    order.level = workorder_minimum_level(order)
    if submit:  # the create event records the first version, the submit event the next
        order.status, order.version = Status.CLASSIFICATION, order.version + 1
    order.save(force_insert=True)
    record_creation(order, actor=actor, now=now, submitted=submit)
    return order


@transaction.atomic
def workorder_flags_set(*, order_id: int, actor: User | None, flags: dict[str, bool], now=None) -> WorkOrder:
    """Set some of the ``RISK_FLAGS`` and record a ``flags_changed`` event (from/to of each change).

    Writes only those columns (never the lifecycle's, so no concurrent action is overwritten) on
    the locked row, and neither the state nor the version. Setting a flag to the value it has
    changes nothing and records nothing.
    """
    unknown = set(flags) - set(RISK_FLAGS)
    if unknown:
        raise ValueError(f"not a risk flag: {', '.join(sorted(unknown))}")
    order = WorkOrder.objects.select_for_update().get(pk=order_id)
    changed = {name: bool(value) for name, value in flags.items() if getattr(order, name) != bool(value)}
    if not changed:
        return order
    before = {name: getattr(order, name) for name in changed}
    for name, value in changed.items():
        setattr(order, name, value)
    order.save(update_fields=[*changed, "updated_at"])
    write_event(order, "flags_changed", actor=actor, payload={"from": before, "to": changed}, now=now)
    return order


# --- bulk assignment (issue 14) ------------------------------------------------------------------

BULK_ASSIGN_MAX = 100  # orders per bulk assignment: a page of a queue and then some


@dataclass(frozen=True)
class BulkResult:
    order_id: int
    label: str  # the tracking number, else the id
    ok: bool
    message: str = ""


def workorders_assign_bulk(
    *, actor: User, ids: list[int], versions: dict[int, int], data: dict
) -> list[BulkResult]:
    """Assign each order of ``ids`` with the same department (and handler) through
    ``lifecycle.perform``, each in its own transaction with the version the dispatcher saw (an
    order changed meanwhile is refused, the others go on). One result per order, in order: an
    order refused (out of scope, not waiting for assignment, stale, invalid input) says why."""
    labels = dict(workorders_visible_to(actor).filter(pk__in=ids).values_list("pk", "tracking_no"))
    results = []
    for pk in dict.fromkeys(ids):
        label = labels.get(pk) or str(pk)
        try:
            perform(pk, "assign", actor=actor, version=versions.get(pk), data=data)
        except DomainError as exc:
            message, fields = page_message(exc)
            if fields:
                message = "; ".join([message, *(m for ms in fields.values() for m in ms)])
            results.append(BulkResult(pk, label, False, message))
        else:
            results.append(BulkResult(pk, label, True))
    return results
