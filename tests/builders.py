"""The one way tests make a work order in a given state: through the real services.

An order is registered by the intake service (``complaint_register``) and moved by
``workorders.lifecycle.perform``, step by step, as the demo user of each role: exactly what the API
and the pages do, so an order "in review" here is what a handler's reply leaves behind.

``build`` (a fixture in ``tests/conftest.py``) is an ``OrderBuilder`` for the demo organisation::

    build.order("review")                                   # a fresh order, in review
    build.order("processing", stage="accepted", department="BJ-CD", handler="handler3")
    build.order("closed", satisfaction="unsatisfied", level="important", channel="wechat")
    order = build.register(sh(2025, 3, 3, 10, 0))          # received then, in classification
    build.classify(order, at, level="special")              # one step, at a time
    build.do(order, "urge", "agent", at, comment="催办")     # any action, as any user

Time: ``at`` on ``register`` is when the complaint was received; on a step it is the step's ``now``.
A builder made with ``travel=True`` also moves the clock there (time-machine) for the call, so
whatever the services stamp with the current time is stamped ``at`` too (the deadline tests).

Defaults for the complaint are a fresh customer each time (``intake_body``); a suite that wants
one known customer passes ``intake={...}`` (see ``tests/workorders/views/conftest.py``).
"""

import contextlib
import itertools

import time_machine

from accounts.models import Department
from complaints.models import Category
from workorders.intake.services import complaint_register
from workorders.lifecycle import perform
from workorders.models import WorkOrder

STATES = ["intake", "classification", "assignment", "processing", "review", "callback", "closed"]
# How far an order in processing has got: assigned, accepted by the handler, customer contacted.
STAGES = ["assigned", "accepted", "contacted"]

REPLY = {
    "cause": "台区变压器负载过重",
    "truthfulness": "true",
    "measures": "调整台区负荷，新增一台配变",
    "reply": "已完成台区改造，电压恢复正常",
}
# A reply with these findings names the responsible department (``reply_body`` adds it).
TRUTHFUL = ("true", "partly_true")

# The demo customer of the page and deadline tests (one account, one phone).
KNOWN_CUSTOMER = {
    "customer_name": "张先生",
    "phone": "13912345678",
    "account_no": "3301234567",
    "address": "滨江市城东区幸福路12号",
}

_seq = itertools.count(1)


def unique_phone() -> str:
    return f"139{next(_seq):08d}"


def unique_account() -> str:
    return f"33{next(_seq):08d}"


def reply_body(department, **overrides) -> dict:
    """A valid reply input (API shape): ``REPLY`` with ``department`` (a Department or its pk) as
    the responsible department."""
    pk = department if isinstance(department, int) else department.pk
    return {**REPLY, "responsible_department": pk, **overrides}


def intake_body(**overrides) -> dict:
    """A valid intake request body (API shape), for a fresh customer unless overridden."""
    body = {
        "channel": "phone_95598",
        "customer_name": "张先生",
        "phone": unique_phone(),
        "account_no": unique_account(),
        "address": "滨江市城东区幸福路12号3单元",
        "content": "家里电压长期偏低，晚上空调无法启动，已持续两周。",
        "demand": "尽快解决低电压问题",
    }
    body.update(overrides)
    return body


def category(code="040101") -> Category:
    return Category.objects.get(code=code)


class OrderBuilder:
    """Registers complaints and drives their orders through the lifecycle; see the module docstring.

    ``department`` and ``handler`` are where ``assign`` sends an order and who takes it up, unless a
    call says otherwise; ``intake`` holds complaint fields every ``register`` uses by default.
    """

    def __init__(self, users, depts, *, department="BJ-YJ", handler="handler2", travel=False, intake=None):
        self.users, self.depts = users, depts
        self.department, self.handler, self.travel = department, handler, travel
        self.intake = dict(intake or {})

    # --- the primitives -------------------------------------------------------------------------

    def user(self, who):
        """A demo username, a user, or None (the system)."""
        return self.users[who] if isinstance(who, str) else who

    def dept(self, code_or_dept) -> Department:
        return self.depts[code_or_dept] if isinstance(code_or_dept, str) else code_or_dept

    def clock(self, at):
        """The clock at ``at`` for the builder's calls when it travels; otherwise untouched."""
        return (
            time_machine.travel(at, tick=False)
            if self.travel and at is not None
            else contextlib.nullcontext()
        )

    def register(self, at=None, *, agent="agent", draft=False, **fields) -> WorkOrder:
        """A complaint received ``at`` (default now) → its order, in classification (intake if a draft)."""
        body = intake_body(**{**self.intake, **fields})
        if at is not None:
            body["received_at"] = at
        with self.clock(at):
            complaint = complaint_register(actor=self.user(agent), draft=draft, **body)
        return WorkOrder.objects.get(pk=complaint.workorder.pk)

    def do(self, order, action, actor, at=None, **data) -> WorkOrder:
        """``perform`` one action on an order (or its id) as ``actor``, at ``at``; no version check."""
        pk = order if isinstance(order, int) else order.pk
        with self.clock(at):
            return perform(pk, action, actor=self.user(actor), data=data, now=at)

    # --- the steps of the usual path --------------------------------------------------------------

    def classify(self, order, at=None, *, category="040101", level="general") -> WorkOrder:
        return self.do(
            order, "classify", "dispatcher", at, category=Category.objects.get(code=category).pk, level=level
        )

    def assign(self, order, at=None, *, department=None) -> WorkOrder:
        return self.do(
            order, "assign", "dispatcher", at, department=self.dept(department or self.department).pk
        )

    def classify_and_assign(self, order, at=None, *, level="general", **assign) -> WorkOrder:
        self.classify(order, at, level=level)
        return self.assign(order, at, **assign)

    def accept(self, order, at=None, *, handler=None) -> WorkOrder:
        return self.do(order, "accept", handler or self.handler, at)

    def contact(self, order, at=None, *, handler=None, comment="已电话联系客户") -> WorkOrder:
        return self.do(order, "contact", handler or self.handler, at, method="phone", comment=comment)

    def accept_and_contact(self, order, at=None, *, handler=None) -> WorkOrder:
        self.accept(order, at, handler=handler)
        return self.contact(order, at, handler=handler)

    def reply(self, order, at=None, *, handler=None, **overrides) -> WorkOrder:
        """A reply; one that finds the complaint (partly) true names the handling department as
        responsible unless ``responsible_department`` is given (domain.md §7)."""
        data = {**REPLY, **overrides}
        if data["truthfulness"] in TRUTHFUL and "responsible_department" not in data:
            pk = order if isinstance(order, int) else order.pk
            data["responsible_department"] = WorkOrder.objects.values_list("department_id", flat=True).get(
                pk=pk
            )
        return self.do(order, "reply", handler or self.handler, at, **data)

    def approve(self, order, at=None, *, comment="同意") -> WorkOrder:
        return self.do(order, "approve", "supervisor", at, comment=comment)

    def callback(
        self, order, at=None, *, satisfaction="satisfied", comment="回访完毕", reason="process_not_done"
    ) -> WorkOrder:
        """A callback that reached the customer; an unsatisfied one says why (``reason``, §8.3)."""
        data = {"reached": True, "satisfaction": satisfaction, "comment": comment}
        if satisfaction == "unsatisfied":
            data["dissatisfaction_reason"] = reason
        return self.do(order, "callback", "agent", at, **data)

    # --- an order in a given state ----------------------------------------------------------------

    def order(
        self,
        state,
        at=None,
        *,
        stage="contacted",
        department=None,
        handler=None,
        category="040101",
        level="general",
        truthfulness="true",
        satisfaction="satisfied",
        **fields,
    ) -> WorkOrder:
        """A fresh order in ``state``; every step at ``at`` (default now).

        ``stage`` says how far an order in processing has got (``STAGES``); ``fields`` are the
        complaint's (``channel``, ``phone``, ``account_no``, ``content``, ...).
        """
        assert state in STATES and stage in STAGES, (state, stage)
        order = self.register(at, draft=state == "intake", **fields)
        if state in ("intake", "classification"):
            return order
        order = self.classify(order, at, category=category, level=level)
        if state == "assignment":
            return order
        order = self.assign(order, at, department=department)
        if state == "processing" and stage == "assigned":
            return order
        order = self.accept(order, at, handler=handler)
        if state == "processing" and stage == "accepted":
            return order
        order = self.contact(order, at, handler=handler)
        if state == "processing":
            return order
        order = self.reply(order, at, handler=handler, truthfulness=truthfulness)
        if state == "review":
            return order
        order = self.approve(order, at)
        if state == "callback":
            return order
        order = self.callback(order, at, satisfaction=satisfaction)
        assert order.status == "closed"
        return order

    def returned(self, *, department=None, handler=None) -> WorkOrder:
        """An order its department accepted and returned: back in assignment, still visible to it."""
        order = self.order("processing", stage="accepted", department=department, handler=handler)
        return self.do(order, "return", handler or self.handler, reason="不属于本部门职责")
