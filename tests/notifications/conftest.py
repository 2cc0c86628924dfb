"""Fixtures for the notification tests: orders at a chosen stage, a recorded broker, dev SMS file."""

import json

import pytest

from complaints.models import Category
from workorders.intake.services import complaint_register
from workorders.lifecycle import perform
from workorders.models import WorkOrder


def pytest_configure(config):
    config.addinivalue_line("markers", "real_broker: publishes to a real broker (no recorded apply_async)")


@pytest.fixture(autouse=True)
def _notify_isolation(settings, tmp_path, monkeypatch, request):
    from notifications import rendering, services

    rendering.clear_cache()
    services.broker_reset()
    settings.SMS_BACKEND = "notifications.channels.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if "real_broker" not in request.keywords:
        from notifications import tasks

        published = []
        monkeypatch.setattr(
            tasks.deliver, "apply_async", lambda args=None, **kw: published.append((list(args[0]), kw))
        )
        request.node.published = published
    yield
    rendering.clear_cache()
    services.broker_reset()


@pytest.fixture
def published(request):
    """The (ids, options) of every deliver task published during the test."""
    return request.node.published


@pytest.fixture
def sms_sent(settings):
    def read():
        try:
            with open(settings.SMS_FILE_PATH, encoding="utf-8") as fh:
                return [json.loads(line) for line in fh]
        except FileNotFoundError:
            return []

    return read


def new_order(users, **kwargs) -> WorkOrder:
    body = {
        "actor": users["agent"],
        "channel": "phone_95598",
        "customer_name": "张先生",
        "phone": "13912345678",
        "address": "滨江市城东区幸福路12号",
        "content": "家里电压长期偏低，空调无法启动。",
        "demand": "尽快解决低电压问题",
    }
    body.update(kwargs)
    return complaint_register(**body).workorder


def act(order, action, user, **data):
    order.refresh_from_db()
    return perform(order.pk, action, actor=user, version=order.version, data=data)


def classified(users, level="general", **kwargs):
    order = new_order(users, **kwargs)
    return act(
        order, "classify", users["dispatcher"], category=Category.objects.get(code="040101").pk, level=level
    )


def assigned(users, depts, *, dept="BJ-YJ", assignee=None, level="general"):
    order = classified(users, level=level)
    data = {"department": depts[dept].pk}
    if assignee:
        data["assignee"] = users[assignee].pk
    return act(order, "assign", users["dispatcher"], **data)


def accepted(users, depts):
    order = assigned(users, depts)
    return act(order, "accept", users["handler2"])


def replied(users, depts):
    order = accepted(users, depts)
    act(order, "contact", users["handler2"], method="phone", comment="已联系")
    return act(
        order,
        "reply",
        users["handler2"],
        cause="变压器过载",
        truthfulness="true",
        measures="调整负荷",
        reply="已处理",
    )
