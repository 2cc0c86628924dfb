"""A data set built through the real services (intake and lifecycle), with the edge cases of issue 7."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from complaints.models import Category
from complaints.services import complaint_register
from workorders.lifecycle import perform, record_system_event
from workorders.models import WorkOrder

SH = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


class Story:
    """Drives orders through the services, each step at a chosen time."""

    def __init__(self, users):
        self.u = users

    def intake(
        self,
        when,
        *,
        phone="13912345678",
        account_no="",
        address="滨江市城东区幸福路12号",
        channel="phone_95598",
    ):
        complaint = complaint_register(
            actor=self.u["agent"],
            channel=channel,
            customer_name="张先生",
            phone=phone,
            account_no=account_no,
            address=address,
            content="电压偏低",
            demand="尽快处理",
            received_at=when,
        )
        return complaint.workorder.pk

    def do(self, oid, action, who, when, **data):
        actor = None if who is None else self.u[who]
        return perform(oid, action, actor=actor, data=data, now=when)

    def classify(self, oid, when, code="040101", level="general"):
        return self.do(
            oid, "classify", "dispatcher", when, category=Category.objects.get(code=code).pk, level=level
        )

    def to_reply(self, oid, when, dept, handler, truthfulness="true"):
        self.do(oid, "assign", "dispatcher", when, department=dept.pk)
        self.do(oid, "accept", handler, when + dt.timedelta(minutes=10))
        self.do(oid, "contact", handler, when + dt.timedelta(hours=1), method="phone", comment="")
        self.do(
            oid,
            "reply",
            handler,
            when + dt.timedelta(hours=5),
            cause="c",
            truthfulness=truthfulness,
            measures="m",
            reply="r",
        )

    def approve_and_callback(self, oid, when, satisfaction="satisfied"):
        self.do(oid, "approve", "supervisor", when, comment="")
        return self.do(
            oid,
            "callback",
            "agent",
            when + dt.timedelta(hours=2),
            reached=True,
            satisfaction=satisfaction,
            comment="",
        )

    def breach(self, oid, stage, when):
        from django.db import transaction

        with transaction.atomic():
            WorkOrder.objects.filter(pk=oid).update(is_overdue=True)
            order = WorkOrder.objects.select_for_update().get(pk=oid)
            record_system_event(
                order, "deadline_breached", payload={"stage": stage, "due_at": when.isoformat()}, now=when
            )


@pytest.fixture
def cd_supervisor(depts):
    """A supervisor of the 城东 supply unit: sees only that subtree."""
    user = User.objects.create_user(
        "cd_supervisor", password="demo12345", department=depts["BJ-CD"], email="cd_supervisor@example.com"
    )
    user.groups.set([Group.objects.get(name="supervisor")])
    return User.objects.get(pk=user.pk)


@pytest.fixture
def dataset(users, depts, cd_supervisor):
    """Orders received over the last days (local dates relative to today), with the edge cases."""
    from django.utils import timezone

    today = timezone.localdate()
    d1, d2, d3 = today - dt.timedelta(days=9), today - dt.timedelta(days=6), today - dt.timedelta(days=5)
    s = Story(users)
    ids = {}

    # A: the plain path, closed satisfied two days later.
    a = ids["plain"] = s.intake(at(d1, 9), account_no="3301234567")
    s.classify(a, at(d1, 9, 30))
    s.to_reply(a, at(d1, 10), depts["BJ-YX"], "handler")
    s.approve_and_callback(a, at(d1 + dt.timedelta(days=2), 9))

    # B: reopened twice (once by an unsatisfied callback, once by a supervisor), finally closed.
    b = ids["reopened"] = s.intake(at(d1, 11), phone="13700000001", address="城西路1号")
    s.classify(b, at(d1, 11, 30), code="010101")
    s.to_reply(b, at(d1, 12), depts["BJ-YJ"], "handler2", truthfulness="partly_true")
    s.approve_and_callback(b, at(d1, 20), satisfaction="unsatisfied")  # → processing, reopen 1
    s.do(
        b,
        "reply",
        "handler2",
        at(d1 + dt.timedelta(days=1), 9),
        cause="c",
        truthfulness="partly_true",
        measures="m",
        reply="r",
    )
    s.approve_and_callback(b, at(d1 + dt.timedelta(days=1), 12))
    s.do(b, "reopen", "supervisor", at(d1 + dt.timedelta(days=2), 9), reason="客户再次反映")  # reopen 2
    s.do(
        b,
        "reply",
        "handler2",
        at(d1 + dt.timedelta(days=2), 15),
        cause="c",
        truthfulness="true",
        measures="m",
        reply="r",
    )
    s.approve_and_callback(b, at(d1 + dt.timedelta(days=3), 9), satisfaction="basically_satisfied")

    # D: open in processing, contact deadline breached (overdue now).
    d = ids["overdue"] = s.intake(at(d2, 8), phone="13700000002", address="城南路2号")
    s.classify(d, at(d2, 8, 30), code="020101", level="important")
    s.do(d, "assign", "dispatcher", at(d2, 9), department=depts["BJ-YX"].pk)
    s.breach(d, "contact", at(d2 + dt.timedelta(days=1), 10))

    # C: a duplicate of D, merged into it.
    c = ids["merged"] = s.intake(at(d2, 10), phone="13700000002", address="城南路2号", channel="wechat")
    s.do(c, "merge", "dispatcher", at(d2, 10, 30), into=d)

    # E: received 23:50 local (15:50 UTC), closed after midnight; not true; reply breached first.
    e = ids["midnight"] = s.intake(at(d2, 23, 50), phone="13700000003", address="江边路3号")
    s.classify(e, at(d2, 23, 55))
    s.to_reply(e, at(d2 + dt.timedelta(days=1), 0, 5), depts["BJ-YJ"], "handler2", truthfulness="not_true")
    s.breach(e, "reply", at(d2 + dt.timedelta(days=1), 4))
    s.approve_and_callback(e, at(d2 + dt.timedelta(days=1), 9))

    # F: received 00:10 local on d3, i.e. the previous day in UTC; still in classification.
    ids["after_midnight"] = s.intake(at(d3, 0, 10), phone="13700000004", address="山前路4号", channel="app")

    # G: dispatched to the 城东 supply unit (the cd_supervisor scope), approved, waiting for the callback.
    g = ids["chengdong"] = s.intake(at(d3, 9), phone="13700000005", address="城东路5号")
    s.classify(g, at(d3, 9, 10), code="040101", level="important")
    s.to_reply(g, at(d3, 9, 20), depts["BJ-CD"], "handler3")
    s.do(g, "approve", "supervisor", at(d3, 18), comment="")

    # H: the customer of A again on the same issue, after A was closed: a repeat complaint.
    h = ids["repeat"] = s.intake(at(d3, 15), account_no="3301234567")
    s.classify(h, at(d3, 15, 5))

    # I: dismissed (not established).
    i = ids["dismissed"] = s.intake(at(d3, 17), phone="13700000006", address="河东路6号", channel="web_95598")
    s.do(i, "dismiss", "supervisor", at(d3, 17, 5), reason="不属于供电企业责任")
    return {"ids": ids, "days": (d1, d2, d3), "today": today}
