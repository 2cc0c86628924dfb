"""User preferences: channels per event, the fast alert that cannot be switched off, quiet hours."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications import tasks
from notifications.models import Delivery, Notification, NotificationPreference, NotificationSettings
from notifications.services import quiet_until

from .conftest import assigned, classified

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_user_can_switch_off_email_for_an_event(users, depts):
    NotificationPreference.objects.create(
        user=users["handler2"], event_type="assign", channel="email", enabled=False
    )
    assigned(users, depts)
    assert Notification.objects.filter(user=users["handler2"], event_type="assign").exists()  # inbox always
    assert not Delivery.objects.filter(channel="email", user=users["handler2"]).exists()


def test_a_user_can_add_sms_for_an_event(users, depts):
    NotificationPreference.objects.create(
        user=users["handler2"], event_type="assign", channel="sms", enabled=True
    )
    assigned(users, depts)
    sms = Delivery.objects.get(channel="sms", user=users["handler2"])
    assert sms.address == users["handler2"].phone


def test_the_sms_fast_alert_cannot_be_switched_off(users, depts):
    NotificationPreference.objects.create(
        user=users["manager"], event_type="serious_complaint", channel="sms", enabled=False
    )
    classified(users, level="special")
    assert Delivery.objects.filter(
        channel="sms", user=users["manager"], message__event_type="serious_complaint"
    ).exists()


def test_quiet_hours_defer_email_until_they_end_and_the_beat_job_sends_it_then(
    users, depts, published, settings
):
    settings.NOTIFY_REQUEUE_GRACE_SECONDS = 0
    NotificationSettings.objects.create(
        user=users["handler2"], quiet_start=time(22, 0), quiet_end=time(7, 30)
    )
    with time_machine.travel(datetime(2026, 11, 23, 23, 15, tzinfo=SHANGHAI), tick=False):
        published.clear()
        assigned(users, depts)
        mail = Delivery.objects.get(channel="email", user=users["handler2"])
        # deferred, not dropped
        assert mail.state == "pending"
        assert mail.next_attempt_at == datetime(2026, 11, 24, 7, 30, tzinfo=SHANGHAI)
        assert tasks.deliver([mail.pk])["claimed"] == 0
        tasks.requeue_undelivered()
        assert all(mail.pk not in ids for ids, _ in published)
    with time_machine.travel(datetime(2026, 11, 24, 7, 31, tzinfo=SHANGHAI), tick=False):
        tasks.requeue_undelivered()
        assert any(mail.pk in ids for ids, _ in published)
        tasks.deliver([mail.pk])
    assert Delivery.objects.get(pk=mail.pk).state == "sent"


def test_urgent_messages_ignore_quiet_hours(users, depts):
    NotificationSettings.objects.create(user=users["manager"], quiet_start=time(0, 0), quiet_end=time(23, 59))
    with time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI), tick=False):
        classified(users, level="major")
        sms = Delivery.objects.get(channel="sms", user=users["manager"])
        assert sms.next_attempt_at <= datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "start, end, now, expected",
    [
        ((22, 0), (7, 0), (23, 0), (1, 7, 0)),
        ((22, 0), (7, 0), (6, 0), (0, 7, 0)),
        ((22, 0), (7, 0), (12, 0), None),
        ((12, 0), (14, 0), (13, 0), (0, 14, 0)),
        ((12, 0), (14, 0), (14, 0), None),
    ],
)
def test_quiet_until(start, end, now, expected):
    prefs = NotificationSettings(quiet_start=time(*start), quiet_end=time(*end))
    moment = datetime(2026, 11, 23, *now, tzinfo=SHANGHAI)
    result = quiet_until(prefs, moment)
    if expected is None:
        assert result is None
    else:
        day, hour, minute = expected
        assert result == datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI) + timedelta(days=day)


# --- bad input to the preferences API is a 400 in the JSON error shape, never a 500 -----------------

PREFERENCES = "/api/v1/notifications/preferences/"


@pytest.mark.parametrize(
    "raw",
    [
        '{"preferences": [{"event_type": "assign", "channel": "email"}]}',  # without "enabled"
        '{"preferences": [{"event_type": "assign", "channel": "email", "enabled": null}]}',
        '{"preferences": [{"event_type": "assign", "channel": "email", "enabled": "maybe"}]}',
        '{"preferences": [{"channel": "email", "enabled": true}]}',
        '{"preferences": [{"event_type": "assign", "channel": "inapp", "enabled": true}]}',
        '{"preferences": [1]}',
        '{"preferences": "email"}',
        '{"preferences": {"assign": true}}',
        '{"preferences": null}',
        '{"language": null}',
        '{"quiet_start": "25:00"}',
        "[]",
        '[{"event_type": "assign", "channel": "email", "enabled": true}]',
        '"preferences"',
        "null",
        "42",
        "{",
    ],
)
def test_bad_preferences_are_a_400_never_a_500(users, api_client_for, raw):
    # given
    api = api_client_for("handler", language="en")
    api.raise_request_exception = False
    # when
    response = api.put(PREFERENCES, raw, content_type="application/json")
    # then
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] and body["code"]
    assert not NotificationPreference.objects.filter(user=users["handler"]).exists()
    assert not NotificationSettings.objects.filter(user=users["handler"]).exists()


def test_a_choice_without_enabled_names_the_field(users, api_client_for):
    api = api_client_for("handler", language="en")
    body = {"preferences": [{"event_type": "assign", "channel": "email"}]}
    response = api.put(PREFERENCES, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "enabled" in response.json()["preferences"]["0"]


def test_the_same_choice_twice_is_refused_and_nothing_changes(users, api_client_for):
    # given
    NotificationPreference.objects.create(
        user=users["handler"], event_type="assign", channel="sms", enabled=True
    )
    twice = [
        {"event_type": "assign", "channel": "email", "enabled": True},
        {"event_type": "assign", "channel": "email", "enabled": False},
    ]
    # when
    response = api_client_for("handler", language="en").put(
        PREFERENCES, {"preferences": twice}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["detail"] == "assign / email is listed more than once."
    assert list(
        NotificationPreference.objects.filter(user=users["handler"]).values_list("channel", flat=True)
    ) == ["sms"]
