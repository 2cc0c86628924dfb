"""A data set built through the real services (intake and lifecycle), with the edge cases of issue 7."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from tests.builders import KNOWN_CUSTOMER, OrderBuilder
from workorders.lifecycle import record_system_event
from workorders.models import Deadline, WorkOrder

SH = ZoneInfo("Asia/Shanghai")
# One customer unless a complaint says otherwise; no account number unless it gives one.
STATS_COMPLAINT = {**KNOWN_CUSTOMER, "account_no": "", "content": "电压偏低", "demand": "尽快处理"}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture
def build(users, depts):
    """The order builder; each step is stamped with its own time (``now``), the clock is not moved."""
    return OrderBuilder(users, depts, intake=STATS_COMPLAINT)


def to_reply(build, oid, when, dept, handler, truthfulness="true"):
    """Assigned at ``when``, accepted 10 minutes later, contacted after 1 hour, replied after 5."""
    build.assign(oid, when, department=dept)
    build.accept(oid, when + dt.timedelta(minutes=10), handler=handler)
    build.contact(oid, when + dt.timedelta(hours=1), handler=handler, comment="")
    build.reply(oid, when + dt.timedelta(hours=5), handler=handler, truthfulness=truthfulness)


def approve_and_callback(build, oid, when, satisfaction="satisfied"):
    """Approved at ``when``, called back 2 hours later."""
    build.approve(oid, when, comment="")
    return build.callback(oid, when + dt.timedelta(hours=2), satisfaction=satisfaction, comment="")


def breach(oid, stage, when):
    """The stage's deadline fell due at ``when`` and ran late: its row's due time is moved there (an
    open row is also found breached, as the sweep would), and the breach event is recorded."""
    from django.db import transaction

    with transaction.atomic():
        row = Deadline.objects.filter(order_id=oid, stage=stage).order_by("-pk").first()
        changes = {"due_at": when} if row.met_at else {"due_at": when, "breached_at": when}
        Deadline.objects.filter(pk=row.pk).update(**changes)
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
def dataset(build, depts, cd_supervisor):
    """Orders received over the last days (local dates relative to today), with the edge cases."""
    from django.utils import timezone

    today = timezone.localdate()
    d1, d2, d3 = today - dt.timedelta(days=9), today - dt.timedelta(days=6), today - dt.timedelta(days=5)
    ids = {}

    # A: the plain path, closed satisfied two days later.
    a = ids["plain"] = build.register(at(d1, 9), account_no="3301234567").pk
    build.classify(a, at(d1, 9, 30))
    to_reply(build, a, at(d1, 10), depts["BJ-YX"], "handler")
    approve_and_callback(build, a, at(d1 + dt.timedelta(days=2), 9))

    # B: reopened twice (once by an unsatisfied callback, once by a supervisor), finally closed.
    b = ids["reopened"] = build.register(at(d1, 11), phone="13700000001", address="城西路1号").pk
    build.classify(b, at(d1, 11, 30), category="010101")
    to_reply(build, b, at(d1, 12), depts["BJ-YJ"], "handler2", truthfulness="partly_true")
    approve_and_callback(build, b, at(d1, 20), satisfaction="unsatisfied")  # → processing, reopen 1
    build.reply(b, at(d1 + dt.timedelta(days=1), 9), handler="handler2", truthfulness="partly_true")
    approve_and_callback(build, b, at(d1 + dt.timedelta(days=1), 12))
    build.do(b, "reopen", "supervisor", at(d1 + dt.timedelta(days=2), 9), reason="客户再次反映")  # reopen 2
    build.reply(b, at(d1 + dt.timedelta(days=2), 15), handler="handler2", truthfulness="true")
    approve_and_callback(build, b, at(d1 + dt.timedelta(days=3), 9), satisfaction="basically_satisfied")

    # D: open in processing, contact deadline breached (overdue now).
    d = ids["overdue"] = build.register(at(d2, 8), phone="13700000002", address="城南路2号").pk
    build.classify(d, at(d2, 8, 30), category="020101", level="important")
    build.assign(d, at(d2, 9), department="BJ-YX")
    breach(d, "contact", at(d2 + dt.timedelta(days=1), 10))

    # C: a duplicate of D, merged into it.
    c = ids["merged"] = build.register(
        at(d2, 10), phone="13700000002", address="城南路2号", channel="wechat"
    ).pk
    build.do(c, "merge", "dispatcher", at(d2, 10, 30), into=d)

    # E: received 23:50 local (15:50 UTC), closed after midnight; not true; reply breached first.
    e = ids["midnight"] = build.register(at(d2, 23, 50), phone="13700000003", address="江边路3号").pk
    build.classify(e, at(d2, 23, 55))
    to_reply(
        build, e, at(d2 + dt.timedelta(days=1), 0, 5), depts["BJ-YJ"], "handler2", truthfulness="not_true"
    )
    breach(e, "reply", at(d2 + dt.timedelta(days=1), 4))
    approve_and_callback(build, e, at(d2 + dt.timedelta(days=1), 9))

    # F: received 00:10 local on d3, i.e. the previous day in UTC; still in classification.
    ids["after_midnight"] = build.register(
        at(d3, 0, 10), phone="13700000004", address="山前路4号", channel="app"
    ).pk

    # G: dispatched to the 城东 supply unit (the cd_supervisor scope), approved, waiting for the callback.
    g = ids["chengdong"] = build.register(at(d3, 9), phone="13700000005", address="城东路5号").pk
    build.classify(g, at(d3, 9, 10), category="040101", level="important")
    to_reply(build, g, at(d3, 9, 20), depts["BJ-CD"], "handler3")
    build.approve(g, at(d3, 18), comment="")

    # H: the customer of A again on the same issue, after A was closed: a repeat complaint.
    h = ids["repeat"] = build.register(at(d3, 15), account_no="3301234567").pk
    build.classify(h, at(d3, 15, 5))

    # I: dismissed (not established).
    i = ids["dismissed"] = build.register(
        at(d3, 17), phone="13700000006", address="河东路6号", channel="web_95598"
    ).pk
    build.do(i, "dismiss", "supervisor", at(d3, 17, 5), reason="不属于供电企业责任")
    return {"ids": ids, "days": (d1, d2, d3), "today": today}
