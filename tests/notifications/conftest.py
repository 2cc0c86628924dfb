"""Fixtures for the notification tests: orders at a chosen stage (through ``tests/builders.py``), a
recorded broker, the development SMS file, webhooks to loopback allowed (the fake receivers)."""

import json

import pytest

from accounts.models import Department
from tests.builders import OrderBuilder
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
    # The fake webhook receivers (servers.py) listen on 127.0.0.1: allowed here; the tests of the
    # address check (test_webhook_addresses.py) switch it off.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
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


# Every order of these tests is the same customer's (found by phone), as a repeat caller is.
CUSTOMER = {
    "customer_name": "张先生",
    "phone": "13912345678",
    "account_no": "",
    "address": "滨江市城东区幸福路12号",
}


def _builder(users) -> OrderBuilder:
    return OrderBuilder(users, {d.code: d for d in Department.objects.all()}, intake=CUSTOMER)


# The notification tests' vocabulary, on the one builder (tests/builders.py).


def new_order(users, **fields) -> WorkOrder:
    """A complaint registered by ``actor`` (default the demo agent): its order, in classification."""
    agent = fields.pop("actor", "agent")
    return _builder(users).register(agent=agent, **fields)


def act(order, action, user, **data) -> WorkOrder:
    return _builder(users={}).do(order, action, user, **data)


def classified(users, level="general", **fields) -> WorkOrder:
    builder = _builder(users)
    return builder.classify(builder.register(**fields), level=level)


def assigned(users, depts, *, dept="BJ-YJ", assignee=None, level="general") -> WorkOrder:
    order = classified(users, level=level)
    data = {"department": depts[dept].pk}
    if assignee:
        data["assignee"] = users[assignee].pk
    return act(order, "assign", users["dispatcher"], **data)


def accepted(users, depts) -> WorkOrder:
    return _builder(users).order("processing", stage="accepted")


def replied(users, depts) -> WorkOrder:
    return _builder(users).order("review")
