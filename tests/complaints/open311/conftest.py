"""Open311 clients (city platforms) with their keys, and a way to file through the API."""

import pytest


@pytest.fixture
def make_client(org):
    """make_client("滨江12345", channel="gov_12345") → (Open311Client, its plain key)."""
    from accounts.models import Open311Client

    def make(name="滨江市12345平台", channel="gov_12345", **fields):
        client = Open311Client(name=name, channel=channel, **fields)
        key = client.issue_key()
        client.save()
        return client, key

    return make


@pytest.fixture
def platform(make_client):
    return make_client()


def filing(**overrides) -> dict:
    """A valid Open311 POST body (without the key)."""
    from tests.builders import unique_phone

    body = {
        "service_code": "040101",
        "description": "市民反映：家中电压长期偏低，晚上空调无法启动，已持续两周。",
        "address_string": "滨江市城东区幸福路12号3单元",
        "first_name": "三",
        "last_name": "张",
        "phone": unique_phone(),
        "account_id": "citizen-778",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}
