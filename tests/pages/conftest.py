import pytest
from django.test import Client

from complaints.services import complaint_register


@pytest.fixture
def client_for(users):
    def make(username, language="zh-hans"):
        client = Client()
        client.force_login(users[username])
        client.cookies["django_language"] = language
        return client

    return make


@pytest.fixture
def order(users):
    """A submitted complaint's order (in classification)."""
    complaint = complaint_register(
        actor=users["agent"], channel="phone_95598", customer_name="张先生", phone="13912345678",
        account_no="3301234567", address="滨江市城东区幸福路12号", content="家里电压长期偏低，空调无法启动。",
        demand="尽快解决低电压问题",
    )
    return complaint.workorder
