"""Helpers for the deadline tests: orders received and moved through the lifecycle at chosen times
(``build.register(at)``, ``build.classify(order, at)``, ``build.do(order, action, user, at)``)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaints.models import Category
from tests.builders import KNOWN_CUSTOMER, OrderBuilder

SH = ZoneInfo("Asia/Shanghai")


def sh(*args) -> datetime:
    """An Asia/Shanghai wall-clock time: sh(2024, 9, 30, 10, 0)."""
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Every test starts from the calendar in the database, not a previous test's cached copy."""
    from workorders.deadlines.calendar import invalidate_calendar

    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def leaf(db):
    return Category.objects.get(code="040101")


@pytest.fixture
def build(users, depts):
    """The order builder with the clock moved to each step's time; orders go to 配电抢修班 (BJ-YJ-QX)."""
    return OrderBuilder(
        users,
        depts,
        department="BJ-YJ-QX",
        travel=True,
        intake={**KNOWN_CUSTOMER, "content": "电压偏低", "demand": "尽快解决"},
    )


def deadline(order, stage, **filters):
    from workorders.models import Deadline

    return Deadline.objects.filter(order=order, stage=stage, **filters).order_by("-pk").first()


def events(order, action):
    from workorders.models import WorkOrderEvent

    return list(WorkOrderEvent.objects.filter(order=order, action=action).order_by("id"))


def request_extension(build, order, at, until, reason="需停电改造", basis="计划停电"):
    """The handler asks at ``at`` for the reply deadline to move to ``until`` (ISO-8601)."""
    return build.do(
        order, "request_extension", "handler2", at, requested_due_at=until, reason=reason, basis=basis
    )
