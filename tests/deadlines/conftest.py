"""Helpers for the deadline tests: orders received and moved through the lifecycle at chosen times."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints.models import Category

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


class Flow:
    """Drive one order through the lifecycle, each step at a given time."""

    def __init__(self, users, depts, leaf):
        self.users, self.depts, self.leaf = users, depts, leaf

    def receive(self, at, *, channel="phone_95598", phone="13912345678", account_no="3301234567", **extra):
        from complaints.services import complaint_register

        with time_machine.travel(at, tick=False):
            complaint = complaint_register(
                actor=self.users["agent"],
                channel=channel,
                customer_name="张先生",
                phone=phone,
                account_no=account_no,
                address="滨江市城东区幸福路12号",
                content="电压偏低",
                demand="尽快解决",
                received_at=at,
                **extra,
            )
        return complaint.workorder

    def act(self, order, action, user, at, **data):
        from workorders.lifecycle import perform

        with time_machine.travel(at, tick=False):
            return perform(order.pk, action, actor=self.users[user], data=data, now=at)

    def classify(self, order, at, level="general"):
        return self.act(order, "classify", "dispatcher", at, category=self.leaf.pk, level=level)

    def assign(self, order, at):
        return self.act(order, "assign", "dispatcher", at, department=self.depts["BJ-YJ-QX"].pk)

    def to_processing(self, order, at, level="general"):
        self.classify(order, at, level)
        return self.assign(order, at)

    def accept_and_contact(self, order, at):
        self.act(order, "accept", "handler2", at)
        return self.act(order, "contact", "handler2", at, method="phone", comment="已联系")

    def reply(self, order, at):
        return self.act(
            order,
            "reply",
            "handler2",
            at,
            cause="负载过重",
            truthfulness="true",
            measures="改造",
            reply="已处理",
        )


@pytest.fixture
def flow(users, depts, leaf):
    return Flow(users, depts, leaf)


def deadline(order, stage, **filters):
    from workorders.models import Deadline

    return Deadline.objects.filter(order=order, stage=stage, **filters).order_by("-pk").first()


def events(order, action):
    from workorders.models import WorkOrderEvent

    return list(WorkOrderEvent.objects.filter(order=order, action=action).order_by("id"))
