"""Notification texts are plain text: SMS, e-mail and webhooks carry what the user typed, and the
inbox page escapes it exactly once."""

import email

import pytest
from rest_framework.test import APIClient

from notifications import tasks
from notifications.models import Delivery, Notification, WebhookSubscription

from .conftest import act, assigned, classified
from .servers import smtp_server, webhook_sink

pytestmark = pytest.mark.django_db

TYPED = 'A&B <x> "q" \'s'
ESCAPED_ONCE = "A&amp;B &lt;x&gt; &quot;q&quot; &#x27;s"


def pending_ids(channel):
    return list(Delivery.objects.filter(channel=channel, state="pending").values_list("pk", flat=True))


def important_dispatched(users, depts, demand):
    """An important order with this demand, dispatched: the unit's leaders (the manager) hear of it
    in the inbox and by e-mail, the demand quoted (the default template)."""
    order = classified(users, level="important", demand=demand)
    return act(order, "assign", users["dispatcher"], department=depts["BJ-YJ"].pk)


def test_sms_carries_the_typed_characters(users, depts, settings):
    with webhook_sink() as gateway:
        settings.SMS_BACKEND = "notifications.channels.HttpSmsBackend"
        settings.SMS_GATEWAY_URL = gateway.url
        # given: a special complaint (the SMS fast alert to the unit's leaders quotes the demand)
        classified(users, level="special", demand=TYPED)
        # when
        counts = tasks.deliver(pending_ids("sms"))
    # then (the customer's acknowledgement SMS, issue 15, quotes no demand: the leaders' SMS only)
    assert counts["sent"] >= 1
    texts = [body["text"] for body in gateway.json() if "投诉快报" in body["text"]]
    assert texts and all(TYPED in text for text in texts)
    assert all(TYPED in d.body for d in Delivery.objects.filter(channel="sms", user__isnull=False))


def test_email_carries_the_typed_characters(users, depts, settings):
    with smtp_server() as (port, received):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        important_dispatched(users, depts, TYPED)
        tasks.deliver(pending_ids("email"))
    texts = []
    for mail in received:
        parsed = email.message_from_string(mail["data"])
        texts.append(parsed.get_payload(decode=True).decode(parsed.get_content_charset() or "utf-8"))
    assert any(TYPED in text for text in texts)
    assert not any("&amp;" in text or "&lt;" in text for text in texts)


def test_robot_webhook_carries_the_typed_characters(users, depts):
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url, kind="wecom", events=["important_assigned"])
        important_dispatched(users, depts, TYPED)
        tasks.deliver(pending_ids("webhook"))
    [body] = sink.json()
    assert TYPED in body["markdown"]["content"]


def test_generic_webhook_data_carries_the_typed_characters(users, depts):
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url, secret="s", kind="generic", events=["note"])
        order = assigned(users, depts)
        act(order, "note", users["dispatcher"], comment=TYPED)
        tasks.deliver(pending_ids("webhook"))
    [body] = sink.json()
    assert body["data"]["event"]["payload"]["comment"] == TYPED


def test_the_inbox_stores_plain_text_and_the_page_escapes_it_once(users, depts, client):
    # given
    important_dispatched(users, depts, TYPED)
    leader = users["manager"]
    note = Notification.objects.get(user=leader, event_type="important_assigned")
    # then: stored as typed
    assert TYPED in note.body
    # and shown escaped exactly once, on the page and in its htmx fragment
    client.force_login(leader)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        html = client.get("/notifications/", **headers).content.decode()
        assert ESCAPED_ONCE in html
        assert TYPED not in html and "&amp;amp;" not in html and "&amp;lt;" not in html
    # and the API gives the plain text (JSON needs no HTML escaping)
    api = APIClient()
    api.force_authenticate(leader)
    bodies = [item["body"] for item in api.get("/api/v1/notifications/").json()["results"]]
    assert any(TYPED in body for body in bodies)


def test_the_migration_unescapes_texts_stored_escaped_once(users, depts):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0007_unescape_stored_texts")
    # given: rows as the old rendering stored them, and a sent delivery (history stays as it went out)
    important_dispatched(users, depts, "x")
    Notification.objects.update(body=ESCAPED_ONCE, title="R&amp;D")
    Delivery.objects.update(body=ESCAPED_ONCE, state="pending")
    sent = Delivery.objects.first()
    Delivery.objects.filter(pk=sent.pk).update(state="sent")
    # when
    migration.unescape_stored_texts(apps, None)
    # then
    assert set(Notification.objects.values_list("title", "body")) == {("R&D", TYPED)}
    bodies = dict(Delivery.objects.values_list("pk", "body"))
    assert bodies.pop(sent.pk) == ESCAPED_ONCE
    assert bodies and set(bodies.values()) == {TYPED}
