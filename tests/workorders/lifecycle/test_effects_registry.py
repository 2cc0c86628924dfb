"""The effects registry: every concern that must declares every action, the hook order is one list,
and the startup check refuses an action left undeclared."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from config.errors import DomainError
from tests.workorders.factories import act
from workorders.checks import check_effects
from workorders.deadlines import effects as deadline_effects
from workorders.lifecycle import ACTIONS, Action, perform
from workorders.lifecycle.effects import CONCERNS, EVENTS_BESIDES_ACTIONS, Concern
from workorders.models import WorkOrderEvent
from workorders.stats import aggregates


def test_the_registry_as_configured_passes_the_check():
    assert check_effects() == []


def test_deadlines_declare_every_action_and_lifecycle_event():
    concern = CONCERNS["deadlines"]
    # the hook wraps the concern (it keeps the order's next due time after the effects)
    assert concern is deadline_effects.effects is deadline_effects.on_workorder_event.concern
    assert concern.every_action
    assert concern.undeclared([*ACTIONS, *EVENTS_BESIDES_ACTIONS]) == []


def test_hooks_run_in_the_one_configured_order():
    assert settings.WORKORDER_TRANSITION_HOOKS == [
        "notifications.services.on_workorder_event",
        "workorders.deadlines.effects.on_workorder_event",
        "workorders.stats.aggregates.on_workorder_event",
    ]
    assert aggregates.on_workorder_event is CONCERNS["stats"]
    assert not CONCERNS["stats"].every_action and CONCERNS["stats"].fallback is not None


def test_an_action_without_a_deadlines_declaration_fails_the_check(monkeypatch):
    monkeypatch.delitem(deadline_effects.effects.handlers, "note")
    errors = check_effects()
    assert [e.id for e in errors] == ["workorders.E001"]
    assert "deadlines" in errors[0].msg and "note" in errors[0].msg
    with pytest.raises(SystemCheckError, match="workorders.E001"):
        call_command("check")


def test_a_new_action_in_the_table_must_be_declared(monkeypatch):
    template = ACTIONS["note"]
    new = Action("stamp", "Stamp", template.sources, None, template.roles, template.apply)
    monkeypatch.setitem(ACTIONS, "stamp", new)
    errors = check_effects()
    assert [e.id for e in errors] == ["workorders.E001"] and "stamp" in errors[0].msg
    deadline_effects.effects.none("stamp")
    try:
        assert check_effects() == []
    finally:
        del deadline_effects.effects.handlers["stamp"]


@pytest.fixture
def scratch_concerns():
    """Concerns made by a test leave the registry as they found it."""
    before = dict(CONCERNS)
    yield
    CONCERNS.clear()
    CONCERNS.update(before)


def test_a_concern_outside_the_hook_list_fails_the_check(scratch_concerns):
    stray = Concern("stray")
    errors = check_effects()
    assert [e.id for e in errors] == ["workorders.E003"] and errors[0].obj is stray


def test_a_concern_and_a_declaration_are_made_once(scratch_concerns):
    concern = Concern("probe")
    concern.none("note")
    with pytest.raises(ValueError, match="declared twice"):
        concern.on("note")(lambda order, event: None)
    with pytest.raises(ValueError, match="declared twice"):
        Concern("probe")


@pytest.mark.django_db
def test_a_concern_runs_the_declared_handler_and_the_fallback_otherwise(build, scratch_concerns):
    seen = []
    concern = Concern("probe")
    concern.on("note")(lambda order, event: seen.append(("note", event.action)))
    concern.none("urge")
    concern.every_event(lambda order, event: seen.append(("any", event.action)))
    order = build.order("processing")
    for action in ("note", "urge", "deadline_warning"):
        concern(order=order, event=WorkOrderEvent(order=order, action=action))
    assert seen == [("note", "note"), ("any", "deadline_warning")]


@pytest.mark.django_db
def test_extension_after_the_reply_deadline_is_refused_by_the_action(build, users, api_client_for):
    """The rule lives in the lifecycle action (409 deadline_passed), not in the deadline hook."""
    order = build.order("processing", stage="contacted")
    reply = order.deadlines.get(stage="reply", met_at__isnull=True, cancelled_at__isnull=True)
    later = reply.due_at.replace(microsecond=0)
    data = {
        "requested_due_at": (later + timedelta(days=7)).isoformat(),
        "reason": "来不及",
        "basis": "施工计划",
    }
    with pytest.raises(DomainError) as err:
        perform(
            order.pk, "request_extension", actor=users["handler2"], data=data, now=later + timedelta(hours=1)
        )
    assert err.value.code == "deadline_passed" and err.value.http_status == 409
    assert not order.extension_requests.exists()
    # Before the deadline the same request is accepted and the reply clock holds.
    body = act(
        api_client_for("handler2"),
        order.pk,
        "request_extension",
        requested_due_at=(later + timedelta(days=7)).isoformat(),
        reason="需停电施工",
        basis="施工计划",
    )
    assert body["status"] == "processing"
    reply.refresh_from_db()
    assert reply.held_since is not None and reply.next_at == reply.held_until  # held up to the ceiling
