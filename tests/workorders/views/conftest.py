"""The page tests' orders: one known customer (``KNOWN_CUSTOMER``), so lookups, search and merges meet."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.builders import KNOWN_CUSTOMER, OrderBuilder
from workorders.deadlines.engine import sync_next_due_many
from workorders.models import Deadline, WorkOrder

PAGE_COMPLAINT = {
    **KNOWN_CUSTOMER,
    "content": "家里电压长期偏低，空调无法启动。",
    "demand": "尽快解决低电压问题",
}


@pytest.fixture
def build(users, depts):
    return OrderBuilder(users, depts, intake=PAGE_COMPLAINT)


@pytest.fixture
def order(build):
    """A submitted complaint's order (in classification)."""
    return build.register()


@pytest.fixture
def processing(order, build):
    """The same order, classified and assigned to 运检部 (handler2's department)."""
    return build.classify_and_assign(order, department="BJ-YJ")


def found_overdue(order, stage, *, ago=timedelta(hours=2)):
    """The stage's open row fell due ``ago`` and the sweep found it past due (as it would)."""
    when = timezone.now() - ago
    updated = (
        Deadline.objects.open().filter(order_id=order.pk, stage=stage).update(due_at=when, breached_at=when)
    )
    assert updated == 1
    WorkOrder.objects.filter(pk=order.pk).update(is_overdue=True)
    sync_next_due_many([order.pk])  # as the deadline effects keep it
    return order
