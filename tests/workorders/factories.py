"""Test data for the lifecycle tests: orders in every state, built through the real services.

Orders are made by the intake service (``complaint_register``) and moved by ``lifecycle.perform``,
the same code the API calls, so an order "in review" here is exactly what a handler's reply
leaves behind. A second company (with one user per role) proves that scope stops at the company.

The fixtures at the bottom are imported by ``tests/workorders/conftest.py`` and
``tests/complaints/conftest.py``.
"""

import itertools
from datetime import timedelta

import factory
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from complaints.models import Category, Complaint, Customer
from complaints.services import complaint_register
from workorders.lifecycle import perform
from workorders.models import Assignment, Attachment, ExtensionRequest, WorkOrder, WorkOrderEvent

STATES = ["intake", "classification", "assignment", "processing", "review", "callback", "closed"]

_seq = itertools.count(1)


def unique_phone() -> str:
    return f"139{next(_seq):08d}"


def unique_account() -> str:
    return f"33{next(_seq):08d}"


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


# --- factory-boy: departments and users of a second company ---------------------------------------


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = Department.Kind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(roles=[Role.HANDLER], department=dept)``; several roles are allowed."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: f"测试用户 {o.username}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.groups.set([Group.objects.get(name=str(role)) for role in extracted])
            self.__dict__.pop("roles", None)  # the cached_property of the model


# --- the builder ----------------------------------------------------------------------------------


class Builder:
    """``build.order("review")`` → a fresh order in that state, made by the real services.

    ``stage`` refines the processing state: "assigned" (not accepted yet), "accepted",
    "contacted" (the default: ready to reply).
    """

    def __init__(self, users, depts):
        self.users, self.depts = users, depts

    def do(self, order, action, actor, **data) -> WorkOrder:
        user = self.users[actor] if isinstance(actor, str) else actor
        return perform(order.pk, action, actor=user, version=order.version, data=data)

    def new(self, *, agent="agent", draft=False, **fields) -> WorkOrder:
        user = self.users[agent] if isinstance(agent, str) else agent
        complaint = complaint_register(actor=user, draft=draft, **intake_body(**fields))
        return WorkOrder.objects.get(pk=complaint.workorder.pk)

    def order(
        self,
        state,
        *,
        stage="contacted",
        department="BJ-YJ",
        handler="handler2",
        satisfaction="satisfied",
        **fields,
    ) -> WorkOrder:
        order = self.new(draft=state == "intake", **fields)
        if state in ("intake", "classification"):
            return order
        order = self.do(order, "classify", "dispatcher", category=category().pk, level="general")
        if state == "assignment":
            return order
        order = self.do(order, "assign", "dispatcher", department=self.depts[department].pk)
        if state == "processing" and stage == "assigned":
            return order
        order = self.do(order, "accept", handler)
        if state == "processing" and stage == "accepted":
            return order
        order = self.do(order, "contact", handler, method="phone", comment="已电话联系客户")
        if state == "processing":
            return order
        order = self.do(order, "reply", handler, **REPLY)
        if state == "review":
            return order
        order = self.do(order, "approve", "supervisor", comment="同意")
        if state == "callback":
            return order
        order = self.do(
            order, "callback", "agent", reached=True, satisfaction=satisfaction, comment="回访完毕"
        )
        assert state == "closed" and order.status == "closed"
        return order

    def returned(self, *, department="BJ-YJ", handler="handler2") -> WorkOrder:
        """An order its department accepted and returned: back in assignment, still visible to it."""
        order = self.order("processing", stage="accepted", department=department, handler=handler)
        return self.do(order, "return", handler, reason="不属于本部门职责")


REPLY = {
    "cause": "台区变压器负载过重",
    "truthfulness": "true",
    "measures": "调整台区负荷，新增一台配变",
    "reply": "已完成台区改造，电压恢复正常",
}


def pdf_upload(name="现场照片.pdf", size=64) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


def future(hours=48) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


# --- API helpers ----------------------------------------------------------------------------------


def act(api, order_id, action, *, expect=200, version=None, multipart=False, **body):
    """POST one action with the order's current version; assert the status; return the JSON."""
    if version is None:
        version = WorkOrder.objects.get(pk=order_id).version
    payload = {"version": version, **body}
    url = f"/api/v1/workorders/{order_id}/{action}/"
    response = api.post(url, payload, format="multipart" if multipart else "json")
    assert response.status_code == expect, (action, response.status_code, response.content[:500])
    return response.json()


def snapshot():
    """Everything a transition could touch, to prove a refusal changed nothing."""
    return {
        "orders": list(WorkOrder.objects.order_by("pk").values()),
        "events": list(WorkOrderEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "extensions": list(ExtensionRequest.objects.order_by("pk").values()),
        "attachments": list(Attachment.objects.order_by("pk").values_list("pk", flat=True)),
        "complaints": list(Complaint.objects.order_by("pk").values()),
        "customers": list(Customer.objects.order_by("pk").values()),
    }


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def build(users, depts):
    return Builder(users, depts)


@pytest.fixture
def all_roles_user(depts):
    """One person holding every working role, in 运维检修部 (BJ-YJ): the role check never refuses them."""
    return UserFactory(
        username="omni",
        department=depts["BJ-YJ"],
        roles=[Role.AGENT, Role.DISPATCHER, Role.HANDLER, Role.SUPERVISOR, Role.MANAGER],
    )


@pytest.fixture
def other_company(org):
    """A second company (江川市供电公司) with one user per role; returns (depts, users)."""
    root = DepartmentFactory(code="JC", name="江川市供电公司", kind=Department.Kind.COMPANY)
    kf = DepartmentFactory(code="JC-KF", name="江川客户服务中心", parent=root)
    yj = DepartmentFactory(code="JC-YJ", name="江川运维检修部", parent=root)
    depts = {"JC": root, "JC-KF": kf, "JC-YJ": yj}
    users = {
        "agent": UserFactory(username="jc_agent", department=kf, roles=[Role.AGENT]),
        "dispatcher": UserFactory(username="jc_dispatcher", department=kf, roles=[Role.DISPATCHER]),
        "handler": UserFactory(username="jc_handler", department=yj, roles=[Role.HANDLER]),
        "supervisor": UserFactory(username="jc_supervisor", department=root, roles=[Role.SUPERVISOR]),
        "manager": UserFactory(username="jc_manager", department=root, roles=[Role.MANAGER]),
    }
    return depts, users


@pytest.fixture
def client_for():
    """client_for(user) → an APIClient authenticated as that user object."""
    from rest_framework.test import APIClient

    def make(user, language=None):
        client = APIClient()
        client.force_authenticate(user)
        if language:
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return make


@pytest.fixture
def media_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
