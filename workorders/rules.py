"""Domain rules on work orders that several writers share: repeat detection (domain.md §5.3),
likely duplicates, the minimum level a set of flags requires (§5.1) and what "closed without
handling" means.

Reads and in-memory changes only: the caller saves the order (``classify`` in the lifecycle, the
intake service).
"""

from datetime import timedelta

from django.conf import settings

from .models import UNHANDLED_OUTCOMES, Level, Outcome, Status, WorkOrder, at_least


def same_issue_orders(order: WorkOrder):
    """Other orders of the same customer on the same issue (domain.md §5.3's match key).

    Same customer (the same Customer row: found by account number, else phone) and the same
    second-level category; when the customer has no account number, the same address too.
    """
    if order.category_id is None:
        return WorkOrder.objects.none()
    l2 = order.category.ancestor_at(2)
    if l2 is None:
        return WorkOrder.objects.none()
    qs = WorkOrder.objects.filter(customer_id=order.customer_id, category__code__startswith=l2.code)
    if not order.customer.account_no:
        qs = qs.filter(complaint__address=order.complaint.address)
    return qs.exclude(pk=order.pk).exclude(outcome=Outcome.MERGED)


def workorder_duplicates(order: WorkOrder):
    """Open orders this one may duplicate: the agent may urge them instead, a dispatcher may merge.

    Without a category yet, any open order of the same customer is a candidate.
    """
    if order.category_id is None:
        qs = WorkOrder.objects.filter(customer_id=order.customer_id).exclude(pk=order.pk)
    else:
        qs = same_issue_orders(order)
    return qs.exclude(status=Status.CLOSED).order_by("-received_at")


def workorder_detect_repeat(order: WorkOrder) -> None:
    """Mark a repeat complaint (closed on the same issue within the window) or link a related one.

    domain.md §5.3: while an order on the same issue is still open, a new call is the customer
    urging it (or a duplicate to merge into it), never a repeat of an older closed order, so the
    order is left as it is (``workorder_duplicates`` offers the open one). An order closed without
    handling (merged into another, dismissed as not established) makes nothing a repeat.
    """
    if order.is_repeat:
        return
    issue = same_issue_orders(order)
    if issue.exclude(status=Status.CLOSED).exists():
        return
    window = timedelta(days=settings.REPEAT_WINDOW_DAYS)
    explicit = order.related_to
    candidates = list(
        issue.filter(status=Status.CLOSED).exclude(outcome__in=UNHANDLED_OUTCOMES).order_by("-closed_at")[:1]
    )
    if (
        explicit is not None
        and explicit.status == Status.CLOSED
        and explicit.outcome not in UNHANDLED_OUTCOMES
    ):
        candidates.insert(0, explicit)
    for earlier in candidates:
        if earlier.closed_at and order.received_at - earlier.closed_at <= window:
            order.is_repeat = True
            order.repeat_of = earlier
            if earlier.is_repeat:  # the same customer on the same issue for the third time: 督办
                order.is_supervised = True
            return
        if order.related_to_id is None:
            order.related_to = earlier


def workorder_minimum_level(order: WorkOrder) -> str:
    """The lowest level the order may have (domain.md §5.1 and §5.3)."""
    minimum = Level.GENERAL
    if order.is_repeat or order.is_key_customer or order.upgrade_tendency or order.is_sensitive:
        minimum = Level.IMPORTANT
    if order.channel == "regulator_12398":  # a complaint the energy regulator transferred (§5.1)
        minimum = Level.IMPORTANT
    if order.is_repeat and order.repeat_of_id and order.repeat_of.is_repeat:
        minimum = Level.MAJOR
    return at_least(order.level, minimum)
