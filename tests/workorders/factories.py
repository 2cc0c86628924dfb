"""Test data for the lifecycle tests: factory-boy rows, API helpers and the fixtures built on them.

Orders in a given state come from the order builder (``tests/builders.py``, fixture ``build``).
A second company (with one user per role) proves that scope stops at the company.

The fixtures at the bottom are imported by ``tests/workorders/conftest.py`` (for every test under it).
"""

from datetime import timedelta

import factory
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from complaints.models import Complaint, Customer
from workorders.models import Assignment, Attachment, ExtensionRequest, WorkOrder, WorkOrderEvent

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
def media_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
