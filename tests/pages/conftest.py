import pytest
from django.test import Client

from complaints.services import complaint_register
from workorders.lifecycle import perform
from workorders.models import WorkOrder


@pytest.fixture
def client_for(users):
    def make(username, language="zh-hans"):
        client = Client()
        client.force_login(users[username])
        client.cookies["django_language"] = language
        return client

    return make


@pytest.fixture
def register(users):
    def make(phone="13912345678", account_no="3301234567", content="家里电压长期偏低，空调无法启动。", **kw):
        complaint = complaint_register(
            actor=users["agent"],
            channel="phone_95598",
            customer_name=kw.pop("customer_name", "张先生"),
            phone=phone,
            account_no=account_no,
            address="滨江市城东区幸福路12号",
            content=content,
            demand="尽快解决低电压问题",
            **kw,
        )
        return complaint.workorder

    return make


@pytest.fixture
def order(register):
    """A submitted complaint's order (in classification)."""
    return register()


@pytest.fixture
def step(users):
    """step(order, "classify", "dispatcher", **data) → the order after the action."""

    def run(order, code, username, **data):
        version = WorkOrder.objects.get(pk=order.pk).version
        return perform(order.pk, code, actor=users[username], version=version, data=data)

    return run


@pytest.fixture
def processing(order, step, depts):
    """The order classified and assigned to 运检部 (handler2's department)."""
    from complaints.models import Category

    step(order, "classify", "dispatcher", category=Category.objects.get(code="040101").pk, level="general")
    return step(order, "assign", "dispatcher", department=depts["BJ-YJ"].pk)
