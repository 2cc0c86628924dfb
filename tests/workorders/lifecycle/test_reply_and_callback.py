"""The reply names the responsible department when the complaint was true (domain.md §7), and the
order keeps the rating of its first reached callback however later callbacks rate it."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from tests.builders import REPLY, reply_body
from tests.workorders.factories import act, snapshot
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

MISSING = "Name the responsible department: the complaint was found true or partly true."


# --- the responsible department -------------------------------------------------------------------


@pytest.mark.parametrize("truthfulness", ["true", "partly_true"])
def test_a_true_finding_without_responsible_department_is_400_with_the_field(
    truthfulness, build, api_client_for
):
    order = build.order("processing")
    before = snapshot()
    api = api_client_for("handler2", language="en")
    body = act(api, order.pk, "reply", expect=400, **{**REPLY, "truthfulness": truthfulness})
    assert body["code"] == "invalid" and body["responsible_department"] == [MISSING]
    assert body["detail"] == MISSING
    assert snapshot() == before  # nothing changed, no event


@pytest.mark.parametrize("truthfulness", ["true", "partly_true"])
def test_a_true_finding_with_the_responsible_department_is_accepted(
    truthfulness, build, api_client_for, depts
):
    order = build.order("processing")
    body = act(
        api_client_for("handler2"),
        order.pk,
        "reply",
        **reply_body(depts["BJ-YJ-QX"], truthfulness=truthfulness, responsible_person="王工"),
    )
    assert body["status"] == "review" and body["truthfulness"] == truthfulness
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.responsible_department == depts["BJ-YJ-QX"] and order.responsible_person == "王工"


@pytest.mark.parametrize("truthfulness", ["not_true", "unverifiable"])
def test_a_finding_that_holds_nobody_responsible_needs_no_department(truthfulness, build, api_client_for):
    order = build.order("processing")
    body = act(api_client_for("handler2"), order.pk, "reply", **{**REPLY, "truthfulness": truthfulness})
    assert body["status"] == "review"
    assert WorkOrder.objects.get(pk=order.pk).responsible_department_id is None


def post_reply(client, order, *, htmx=True, **data):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "order-detail"} if htmx else {}
    return client.post(
        reverse("workorders:act", args=[order.pk, "reply"]),
        {"version": WorkOrder.objects.get(pk=order.pk).version, **data},
        **headers,
    )


@pytest.mark.parametrize("htmx", [True, False])
def test_the_reply_page_shows_the_missing_department_beside_the_field(htmx, build, page_client_for, depts):
    order = build.order("processing")
    client = page_client_for("handler2", language="en")
    response = post_reply(client, order, htmx=htmx, **REPLY)
    body = response.content.decode()
    assert response.status_code == (200 if htmx else 400)  # HTMX swaps only 2xx answers
    assert 'data-testid="flash">Please correct the marked fields.</div>' in body
    assert ' open data-action="reply"' in body  # the form is shown again, open, with what was typed
    assert "台区变压器负载过重</textarea>" in body
    assert 'is-invalid" id="reply-responsible_department" name="responsible_department"' in body
    field = body[body.index('id="reply-responsible_department"') :]
    field = field[: field.index("</div>") + len("</div>")]  # the select and the message under it
    assert f'<div class="invalid-feedback d-block">{MISSING}</div>' in field
    assert WorkOrder.objects.get(pk=order.pk).status == "processing"
    # With the department chosen, the same form goes through.
    response = post_reply(client, order, htmx=htmx, **REPLY, responsible_department=depts["BJ-YJ"].pk)
    assert response.status_code == (200 if htmx else 302)
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == "review" and order.responsible_department == depts["BJ-YJ"]


# --- the first reached callback -------------------------------------------------------------------


def test_the_first_reached_callback_is_kept_when_a_reopened_order_is_rated_again(build):
    order = build.order("callback")
    order = build.callback(order, satisfaction="unsatisfied")  # process not done: reopened
    assert order.status == "processing" and order.first_satisfaction == "unsatisfied"
    build.reply(order)
    build.approve(order)
    order = build.callback(order, satisfaction="satisfied")
    assert order.status == "closed"
    assert (order.satisfaction, order.first_satisfaction) == ("satisfied", "unsatisfied")
    # A supervisor's reopen clears the final rating, never the first one.
    order = build.do(order, "reopen", "supervisor", reason="客户再次反映")
    assert (order.satisfaction, order.first_satisfaction) == ("", "unsatisfied")


def test_unreached_callbacks_are_no_first_rating(build, settings):
    settings.CALLBACK_MIN_INTERVAL_MINUTES = 0
    order = build.order("callback")
    for _attempt in range(settings.CALLBACK_MAX_ATTEMPTS):
        order = build.do(order, "callback", "agent", reached=False, comment="无人接听")
    assert (order.outcome, order.satisfaction, order.first_satisfaction) == ("unreachable", "not_rated", "")
    order = build.do(order, "reopen", "supervisor", reason="客户来电要求回访")
    build.reply(order)
    build.approve(order)
    order = build.callback(order, satisfaction="basically_satisfied")
    assert order.first_satisfaction == "basically_satisfied"  # the first callback that reached them


def test_the_migration_fills_the_first_rating_from_the_callback_events(build):
    order = build.order("callback")
    build.callback(order, satisfaction="unsatisfied")
    build.reply(order)
    build.approve(order)
    build.callback(order, satisfaction="satisfied")
    untouched = build.order("closed", satisfaction="basically_satisfied")
    WorkOrder.objects.update(first_satisfaction="")  # as the orders were before the migration
    migration = importlib.import_module("workorders.migrations.0008_first_satisfaction")
    migration.backfill_first_satisfaction(apps, None)
    assert WorkOrder.objects.get(pk=order.pk).first_satisfaction == "unsatisfied"
    assert WorkOrder.objects.get(pk=untouched.pk).first_satisfaction == "basically_satisfied"
