"""The page tests' orders: one known customer (``KNOWN_CUSTOMER``), so lookups, search and merges meet."""

import pytest

from tests.builders import KNOWN_CUSTOMER, OrderBuilder

PAGE_COMPLAINT = {
    **KNOWN_CUSTOMER,
    "content": "家里电压长期偏低，空调无法启动。",
    "demand": "尽快解决低电压问题",
}


@pytest.fixture
def build(users, depts):
    return OrderBuilder(users, depts, intake=PAGE_COMPLAINT)


@pytest.fixture
def order(build):
    """A submitted complaint's order (in classification)."""
    return build.register()


@pytest.fixture
def processing(order, build):
    """The same order, classified and assigned to 运检部 (handler2's department)."""
    return build.classify_and_assign(order, department="BJ-YJ")
