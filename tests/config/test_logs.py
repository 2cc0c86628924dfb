"""Production log lines: one JSON object each, with the request id, user id and order id."""

import io
import json
import logging

import pytest
from celery import shared_task
from django.test.signals import template_rendered
from django.urls import reverse

from config.observability.logs import ContextFilter, JsonFormatter
from tests.helpers import run_python

logger = logging.getLogger("tests.observability")


@shared_task(name="tests.observability.log_in_a_task")
def log_in_a_task(text):
    logger.warning("in the task: %s", text)
    return text


@pytest.fixture
def json_lines():
    """Every line the root logger writes meanwhile, formatted by the production JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.mark.django_db
def test_an_order_page_logs_request_id_user_id_and_order_id(
    page_client_for, build, users, settings, json_lines
):
    settings.LOG_REQUESTS = True
    order = build.order("processing")

    def log_while_rendering(sender, **_kwargs):
        logger.info("rendering inside the view")

    template_rendered.connect(log_while_rendering, dispatch_uid="test-log-while-rendering")
    try:
        response = page_client_for("manager").get(reverse("workorders:detail", args=[order.pk]))
    finally:
        template_rendered.disconnect(dispatch_uid="test-log-while-rendering")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32

    lines = json_lines()
    inside = [line for line in lines if line["message"] == "rendering inside the view"]
    access = [line for line in lines if line["logger"] == "config.requests"]
    assert inside and len(access) == 1
    for line in (inside[0], access[0]):
        assert line["request_id"] == request_id
        assert line["user_id"] == users["manager"].pk
        assert line["order_id"] == order.pk
        assert line["level"] in ("INFO", "WARNING") and line["time"].endswith("+00:00")
    assert access[0]["message"].startswith(f"GET /orders/{order.pk}/ 200")
    assert access[0]["view"] == "workorders:detail" and access[0]["status"] == 200


@pytest.mark.django_db
def test_the_api_routes_of_an_order_carry_its_id_too(api_client_for, build, users, settings, json_lines):
    settings.LOG_REQUESTS = True
    order = build.order("processing")
    response = api_client_for("manager").get(f"/api/v1/workorders/{order.pk}/events/")
    assert response.status_code == 200
    (access,) = [line for line in json_lines() if line["logger"] == "config.requests"]
    assert access["order_id"] == order.pk and access["user_id"] == users["manager"].pk
    assert access["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client, settings, json_lines):
    settings.LOG_REQUESTS = True
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="edge-7f3a9c2e-0001")
    assert kept["X-Request-ID"] == "edge-7f3a9c2e-0001"
    for bad in ("short", 'inject" {"x":1}', "a" * 200, "line\nbreak-000000"):
        replaced = client.get("/healthz", HTTP_X_REQUEST_ID=bad)
        assert replaced["X-Request-ID"] != bad and len(replaced["X-Request-ID"]) == 32
    lines = [line for line in json_lines() if line["logger"] == "config.requests"]
    assert lines[0]["request_id"] == "edge-7f3a9c2e-0001"
    assert "user_id" not in lines[0] and "order_id" not in lines[0]  # anonymous, not an order route


def test_a_celery_task_logs_with_its_task_id(json_lines):
    result = log_in_a_task.apply(args=["你好"])
    (line,) = [line for line in json_lines() if line["logger"] == "tests.observability"]
    assert line["message"] == "in the task: 你好"
    assert line["task_id"] == result.id
    assert line["task_name"] == "tests.observability.log_in_a_task"
    assert "request_id" not in line


def test_one_line_per_record_even_with_a_traceback(json_lines):
    try:
        raise ValueError("two\nlines")
    except ValueError:
        logger.exception("failed", extra={"job": 7})
    (line,) = [line for line in json_lines() if line["logger"] == "tests.observability"]
    assert line["message"] == "failed" and line["job"] == 7
    assert "ValueError: two\nlines" in line["exc_info"]


def _handler_of(env: dict, tmp_path) -> str:
    code = (
        "import django, logging; django.setup();"
        "print(type(logging.getLogger().handlers[0].formatter).__name__)"
    )
    result = run_python(code, {"VAR_DIR": str(tmp_path), **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_json_in_production_mode_text_in_development(tmp_path):
    production = {"DEBUG": "0", "SECRET_KEY": "k" * 60}
    assert _handler_of(production, tmp_path) == "JsonFormatter"
    assert _handler_of({"LOG_FORMAT": "json"}, tmp_path) == "JsonFormatter"
    assert _handler_of({}, tmp_path) == "Formatter"  # DEBUG on: the readable text format
    assert _handler_of({**production, "LOG_FORMAT": "text"}, tmp_path) == "Formatter"
