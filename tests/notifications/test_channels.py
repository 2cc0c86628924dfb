"""The channel registry: a channel registered in one place reaches rules, preferences, the admin and
the outbox, with no migration."""

import pytest
from django.core.exceptions import ValidationError

from notifications import tasks
from notifications.admin import NotificationRuleForm
from notifications.channels import (
    ChannelSpec,
    channel_choices,
    preference_channel_choices,
    register,
    rule_channel_choices,
    unregister,
)
from notifications.models import Delivery, NotificationPreference, NotificationRule

from .conftest import assigned

pytestmark = pytest.mark.django_db


@pytest.fixture
def fax():
    """A made-up outside channel (to the user's phone number), registered for one test."""
    sent = []

    def send(deliveries):
        sent.extend(deliveries)
        return {d.pk: "" for d in deliveries}

    register(
        ChannelSpec(
            code="fax",
            label="Fax",
            user_switchable=True,
            send=send,
            address=lambda user: user.phone,
            order=35,
        )
    )
    yield sent
    unregister("fax")


def codes(choices):
    return [code for code, _label in choices]


def test_the_built_in_channels_and_their_roles():
    assert codes(channel_choices()) == ["inapp", "email", "sms", "webhook"]
    assert codes(rule_channel_choices()) == ["inapp", "email", "sms"]  # webhooks go to subscriptions
    assert codes(preference_channel_choices()) == ["email", "sms"]  # the inbox is always on


def test_a_channel_code_must_be_short_and_unique():
    with pytest.raises(ValueError):
        register(ChannelSpec(code="much_too_long", label="x"))
    with pytest.raises(ValueError):
        register(ChannelSpec(code="email", label="another email"))


def rule(**kwargs):
    return NotificationRule(event_type="assign", recipients="supervisors", **kwargs)


def test_rule_channels_are_validated_against_the_registry():
    rule(channels=["inapp", "email"]).full_clean()
    rule(channels=[]).full_clean()
    assert rule().channels == ["inapp"]
    for bad in (["inapp", "fax"], ["webhook"], "email", [1]):
        with pytest.raises(ValidationError) as error:
            rule(channels=bad).full_clean()
        assert "channels" in error.value.message_dict


def test_a_registered_channel_appears_in_rule_validation_the_admin_form_and_preferences(
    fax, users, api_client_for
):
    rule(channels=["inapp", "fax"]).full_clean()
    assert "fax" in codes(NotificationRuleForm().fields["channels"].choices)
    assert codes(preference_channel_choices()) == ["email", "sms", "fax"]
    # a user may switch it on per event through the API
    body = {
        "quiet_start": None,
        "quiet_end": None,
        "language": "zh-hans",
        "preferences": [{"event_type": "assign", "channel": "fax", "enabled": True}],
    }
    response = api_client_for("handler2").put("/api/v1/notifications/preferences/", body, format="json")
    assert response.status_code == 200, response.json()
    assert NotificationPreference.objects.get(user=users["handler2"]).channel == "fax"


def test_an_unregistered_or_fixed_channel_is_refused_in_preferences(api_client_for):
    for channel in ("fax", "inapp", "webhook"):
        body = {"language": "zh-hans", "preferences": [{"event_type": "assign", "channel": channel}]}
        response = api_client_for("handler2").put("/api/v1/notifications/preferences/", body, format="json")
        assert response.status_code == 400, channel


def test_a_registered_channel_is_written_to_the_outbox_and_sent_by_its_sender(fax, users, depts):
    NotificationRule.objects.filter(event_type="assign", recipients="holder").update(
        channels=["inapp", "email", "fax"]
    )
    assigned(users, depts)
    [row] = Delivery.objects.filter(channel="fax")
    assert row.user == users["handler2"] and row.address == users["handler2"].phone
    counts = tasks.deliver([row.pk])
    assert counts["sent"] == 1 and fax == [row]
    assert Delivery.objects.get(pk=row.pk).state == "sent"


def test_a_user_can_switch_a_registered_channel_off(fax, users, depts):
    NotificationRule.objects.filter(event_type="assign", recipients="holder").update(
        channels=["inapp", "fax"]
    )
    NotificationPreference.objects.create(
        user=users["handler2"], event_type="assign", channel="fax", enabled=False
    )
    assigned(users, depts)
    assert not Delivery.objects.filter(channel="fax").exists()


def test_a_delivery_of_a_channel_no_longer_registered_fails_and_is_retried(fax, users, depts):
    NotificationRule.objects.filter(event_type="assign", recipients="holder").update(channels=["fax"])
    assigned(users, depts)
    [row] = Delivery.objects.filter(channel="fax")
    unregister("fax")
    tasks.deliver([row.pk])
    row.refresh_from_db()
    assert row.state == "pending" and row.last_error == "unknown channel fax"


def test_the_admin_edits_a_rules_channels_with_checkboxes(fax, users, client):
    client.force_login(users["admin"])
    page = client.get("/admin/notifications/notificationrule/")
    assert page.status_code == 200 and 'value="fax"' in page.content.decode()
    for model in ("delivery", "notificationtemplate", "notificationpreference"):  # channel filters
        assert client.get(f"/admin/notifications/{model}/").status_code == 200, model
    response = client.post(
        "/admin/notifications/notificationrule/add/",
        {
            "event_type": "assign",
            "recipients": "supervisors",
            "channels": ["inapp", "fax"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert NotificationRule.objects.get(event_type="assign", recipients="supervisors").channels == [
        "inapp",
        "fax",
    ]


def test_the_rule_list_edits_channels_in_place(users, client):
    client.force_login(users["admin"])
    rule = NotificationRule.objects.get(event_type="reply", recipients="supervisors")
    response = client.post(
        "/admin/notifications/notificationrule/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(rule.pk),
            "form-0-channels": ["inapp", "sms"],
            "form-0-is_active": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.channels == ["inapp", "sms"] and rule.is_active and not rule.urgent
