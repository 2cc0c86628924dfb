"""Reads of the public progress lookup: which order a (tracking number, phone suffix) pair opens,
and what the customer is told about it.

What a customer sees (``order_progress``): the stage in plain words, the dates of intake, dispatch,
reply and closing, and the reply text once a supervisor approved it. Never a staff name, the
phone, the address or the content: the answer is for whoever holds the two keys.

- A draft (an order still in intake: the agent has not submitted it) is not found: it is no
  complaint on record yet, it may still be discarded, and the customer got no number for it.
- A merged order (closed as the duplicate of another) answers the progress of the order it was
  merged into when that order is the same customer's (``merged_into`` then names its number, which
  the customer also got); merged into another customer's order, it says only that it is handled
  together with another complaint, with its own dates and no reply: another customer's order is
  not shown to this one.
"""

import hmac
import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from workorders.models import Outcome, Status, WorkOrder


class Stage(models.TextChoices):
    """The customer's words for the seven states."""

    RECEIVED = "received", _("Registered")  # 已受理: classification, assignment
    PROCESSING = "processing", _("In progress")  # 处理中: processing, review
    REPLIED = "replied", _("Answered")  # 已答复: callback (the reply is approved)
    CLOSED = "closed", _("Closed")  # 已办结
    MERGED = "merged", _("Handled together with another complaint")  # 已合并处理


STAGE_OF_STATUS = {
    Status.CLASSIFICATION: Stage.RECEIVED,
    Status.ASSIGNMENT: Stage.RECEIVED,
    Status.PROCESSING: Stage.PROCESSING,
    Status.REVIEW: Stage.PROCESSING,  # the reply is written, not yet approved
    Status.CALLBACK: Stage.REPLIED,
    Status.CLOSED: Stage.CLOSED,
}
# The customer's steps, in order, for the page's progress line.
STEPS = [Stage.RECEIVED, Stage.PROCESSING, Stage.REPLIED, Stage.CLOSED]
MERGE_HOPS = 5  # a merged order's target may itself have been merged: follow so far

# Compared with the typed digits when no order has the tracking number: the same comparison runs
# for a missing order as for a wrong phone suffix. The input is four digits, so this never matches.
_NO_SUFFIX = "----"


def normalize_tracking_no(value: str) -> str:
    return re.sub(r"\s+", "", value or "")[:32]


def phone_suffix(phone: str) -> str:
    """The last four digits of a phone number (landlines too: 0571-87654321 → 4321)."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-4:] if len(digits) >= 4 else ""


def order_for_lookup(*, tracking_no: str, phone_last4: str) -> tuple[WorkOrder | None, WorkOrder | None]:
    """(the order the pair opens or None, the order the tracking number names or None).

    One query either way, and the same constant-time comparison whether the number exists or not;
    the second value is for the internal log only (which order someone tried), never for an answer.
    """
    named = (
        WorkOrder.objects.select_related("complaint", "merged_into")
        .exclude(status=Status.INTAKE)
        .filter(tracking_no=normalize_tracking_no(tracking_no))
        .first()
    )
    expected = (phone_suffix(named.complaint.phone) or _NO_SUFFIX) if named is not None else _NO_SUFFIX
    matched = hmac.compare_digest(expected.encode(), (phone_last4 or "").encode())
    return (named if matched and named is not None else None), named


def _follow_merge(order: WorkOrder) -> WorkOrder | None:
    """The open or closed order a merged one lives on in, when it is the same customer's."""
    target = order
    for _hop in range(MERGE_HOPS):
        if target.outcome != Outcome.MERGED or target.merged_into_id is None:
            break
        target = WorkOrder.objects.select_related("merged_into").get(pk=target.merged_into_id)
    if target.pk == order.pk or target.customer_id != order.customer_id or target.outcome == Outcome.MERGED:
        return None
    return target


def reply_visible(order: WorkOrder) -> bool:
    """The reply is the customer's once a supervisor approved it (callback or closed after it)."""
    return (
        order.status in (Status.CALLBACK, Status.CLOSED)
        and order.approved_at is not None
        and bool(order.reply)
        and order.outcome not in (Outcome.MERGED, Outcome.NOT_ESTABLISHED)
    )


def order_progress(order: WorkOrder, *, tracking_no: str | None = None) -> dict:
    """What the lookup answers for an order the pair opened (design.md, "Second stage"):
    ``tracking_no, stage, stage_label, received_at, dispatched_at, replied_at, closed_at, reply``
    and ``merged_into``. ``replied_at`` is when the reply became the customer's (its approval)."""
    asked = tracking_no or order.tracking_no
    if order.outcome == Outcome.MERGED:
        target = _follow_merge(order)
        if target is None:
            return {
                "tracking_no": asked,
                "stage": Stage.MERGED.value,
                "stage_label": str(Stage.MERGED.label),
                "received_at": order.received_at,
                "dispatched_at": None,
                "replied_at": None,
                "closed_at": order.closed_at,
                "reply": None,
                "merged_into": None,
            }
        return {**order_progress(target, tracking_no=asked), "merged_into": target.tracking_no}
    stage = STAGE_OF_STATUS.get(order.status, Stage.RECEIVED)
    shown = reply_visible(order)
    return {
        "tracking_no": asked,
        "stage": stage.value,
        "stage_label": str(stage.label),
        "received_at": order.received_at,
        "dispatched_at": order.dispatched_at,
        "replied_at": order.approved_at if shown else None,
        "closed_at": order.closed_at if order.status == Status.CLOSED else None,
        "reply": order.reply if shown else None,
        "merged_into": None,
    }
