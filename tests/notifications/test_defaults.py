"""Defaults: created after migrate and by ``sync_notifications``, never overwriting an admin's edit;
the migration from one boolean column per channel to a list of channel codes; derived event types."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notifications.defaults import DEFAULT_RULES, default_templates
from notifications.events import DERIVED_EVENT_TYPES, EVENT_TYPES, event_types_for
from notifications.models import NotificationRule, NotificationTemplate


def sync() -> str:
    out = StringIO()
    call_command("sync_notifications", stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_the_defaults_are_present_after_migrate():
    assert NotificationRule.objects.count() == len(DEFAULT_RULES)
    assert NotificationTemplate.objects.count() == len(default_templates())
    fast_alert = NotificationRule.objects.get(event_type="serious_complaint", recipients="unit_leaders")
    assert fast_alert.channels == ["inapp", "sms"] and fast_alert.mandatory and fast_alert.urgent


@pytest.mark.django_db
def test_sync_creates_what_is_missing_and_never_overwrites_an_edit():
    assert sync() == "Created 0 rules and 0 templates."
    # an administrator edits a template and a rule, and deletes another of each
    template = NotificationTemplate.objects.get(event_type="assign", channel="inapp", language="zh-hans")
    template.body = "改过的正文 {{ order.tracking_no }}"
    template.save()
    NotificationRule.objects.filter(event_type="assign", recipients="holder").update(
        channels=["inapp"], is_active=False
    )
    NotificationRule.objects.filter(event_type="reply").delete()
    NotificationTemplate.objects.filter(event_type="reply", channel="inapp", language="en").delete()
    # when
    assert sync() == "Created 1 rules and 1 templates."
    # then the edits stay, the deleted defaults are back, and a second run changes nothing
    template.refresh_from_db()
    assert template.body == "改过的正文 {{ order.tracking_no }}"
    edited = NotificationRule.objects.get(event_type="assign", recipients="holder")
    assert edited.channels == ["inapp"] and not edited.is_active
    assert NotificationRule.objects.get(event_type="reply").channels == ["inapp", "email"]
    assert NotificationTemplate.objects.filter(event_type="reply", language="en").exists()
    assert sync() == "Created 0 rules and 0 templates."
    assert NotificationRule.objects.count() == len(DEFAULT_RULES)


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_channel_booleans_into_the_list():
    before, after = (
        [("notifications", "0002_seed_defaults")],
        [("notifications", "0005_remove_rule_channel_booleans")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("notifications", "NotificationRule")
        old.objects.filter(event_type="deadline_warning").update(inapp=False, email=True, sms=True)
        old.objects.create(event_type="note", recipients="holder", inapp=False, email=False, sms=False)
        old.objects.create(event_type="attach", recipients="holder", inapp=True, email=True, sms=True)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    channels = dict(
        NotificationRule.objects.filter(recipients="holder").values_list("event_type", "channels")
    )
    assert channels["deadline_warning"] == ["email", "sms"]
    assert channels["note"] == []
    assert channels["attach"] == ["inapp", "email", "sms"]
    assert channels["assign"] == ["inapp", "email"]
    # back to the latest migrations, so the tests after this one find every table (survey links…)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_derived_event_types_are_declared_per_action_and_known():
    for action, derived in DERIVED_EVENT_TYPES.items():
        assert action in EVENT_TYPES
        for event_type, _applies in derived:
            assert event_type in EVENT_TYPES


@pytest.mark.parametrize(
    "action, payload, order, expected",
    [
        ("urge", {"count": 2}, {}, ["urge", "urge_threshold"]),
        ("urge", {"count": 1}, {}, ["urge"]),
        ("urge", {}, {"urge_count": 3}, ["urge", "urge_threshold"]),
        ("callback", {"satisfaction": "unsatisfied"}, {}, ["callback", "callback_unsatisfied"]),
        ("callback", {"satisfaction": "satisfied"}, {}, ["callback"]),
        ("classify", {}, {"level": "major"}, ["classify", "serious_complaint"]),
        ("create", {}, {"is_key_customer": True}, ["create", "serious_complaint"]),
        ("classify", {}, {}, ["classify"]),
        ("escalate", {}, {"level": "special"}, ["escalate"]),  # announced at intake/classification only
        ("note", None, {}, ["note"]),
    ],
)
def test_event_types_for(settings, action, payload, order, expected):
    settings.URGE_FLAG_AT = 2
    facts = {
        "level": "general",
        "is_key_customer": False,
        "is_sensitive": False,
        "upgrade_tendency": False,
        "urge_count": 0,
        **order,
    }
    event = SimpleNamespace(action=action, payload=payload)
    assert event_types_for(SimpleNamespace(**facts), event) == expected
