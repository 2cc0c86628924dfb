"""Writes on work orders that are not lifecycle actions: creation."""

from complaints.models import Complaint

from .lifecycle import record_creation
from .models import WorkOrder


def workorder_create(*, complaint: Complaint, unit, actor, now) -> WorkOrder:
    customer = complaint.customer
    order = WorkOrder.objects.create(
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
    )
    record_creation(order, actor=actor, now=now)
    return order
