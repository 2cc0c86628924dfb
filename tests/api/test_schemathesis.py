"""Every operation of the API schema, fuzzed by schemathesis for two roles with a fixed budget of
examples: no answer is a 5xx, every documented answer matches its schema (issue 13, item 14).

The schema is the one drf-spectacular serves at /api/schema/; the calls go through the project's
WSGI application in this process (every middleware, the real database of the run), signed in with
an API token. ``SCHEMATHESIS_EXAMPLES`` sets the budget per operation (default 8).
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from accounts.services import api_token_for

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(document, default=str))  # lazy translations to plain strings


SCHEMA = schemathesis.openapi.from_dict(_schema())
SCHEMA.app = get_wsgi_application()


@pytest.fixture
def wsgi_in_test_transaction(settings):
    """Django's test client does the same: a request must not close the test's connection."""
    settings.THROTTLE_RATES = {"user": None, "search": None, "search_hour": None}
    request_started.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)


def _token(user) -> dict:
    return {"Authorization": f"Token {api_token_for(user=user).key}"}


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure is reproducible, CI is stable
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.django_db
@SCHEMA.parametrize()
@FUZZ
def test_every_operation_as_an_agent(case, users, build, wsgi_in_test_transaction):
    case.call_and_validate(headers=_token(users["agent"]), checks=CHECKS)


@pytest.mark.django_db
@SCHEMA.parametrize()
@FUZZ
def test_every_operation_as_a_supervisor(case, users, build, wsgi_in_test_transaction):
    case.call_and_validate(headers=_token(users["supervisor"]), checks=CHECKS)
