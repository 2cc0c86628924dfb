"""Texts come from the database templates, in the user's language, and never get lost."""

import logging

import pytest

from notifications.models import Delivery, Notification, NotificationSettings, NotificationTemplate

from .conftest import assigned

pytestmark = pytest.mark.django_db


def test_texts_are_chinese_by_default(users, depts):
    order = assigned(users, depts)
    note = Notification.objects.get(user=users["handler2"], event_type="assign")
    assert note.title == f"新派工单 {order.tracking_no}"
    assert "运维检修部" in note.body


def test_a_user_who_reads_english_gets_english(users, depts):
    NotificationSettings.objects.create(user=users["handler2"], language="en")
    order = assigned(users, depts)
    note = Notification.objects.get(user=users["handler2"], event_type="assign")
    assert note.title == f"Order {order.tracking_no} assigned to you"
    # the email falls back to the in-app template of the same language
    assert Delivery.objects.get(channel="email", user=users["handler2"]).subject == note.title


def test_a_missing_chinese_template_falls_back_to_english(users, depts):
    NotificationTemplate.objects.filter(event_type="assign", language="zh-hans").delete()
    order = assigned(users, depts)
    note = Notification.objects.get(user=users["handler2"], event_type="assign")
    assert note.title == f"Order {order.tracking_no} assigned to you"


def test_an_edited_template_is_used_at_once(users, depts):
    NotificationTemplate.objects.filter(event_type="assign", channel="inapp", language="zh-hans").update(
        subject="请处理 {{ order.tracking_no }}（{{ order.level }}）"
    )
    from notifications.rendering import clear_cache

    clear_cache()  # .update() skips signals; a save() in the admin clears the cache itself
    order = assigned(users, depts)
    assert Notification.objects.get(user=users["handler2"]).title == f"请处理 {order.tracking_no}（general）"


def test_a_template_saved_in_the_admin_is_used(users, depts, client):
    client.force_login(users["admin"])
    tpl = (
        NotificationTemplate.objects.get(event_type="assign", channel="email", language="zh-hans")
        if NotificationTemplate.objects.filter(event_type="assign", channel="email").exists()
        else None
    )
    assert tpl is None  # email uses the in-app template until an email template is added
    response = client.post(
        "/admin/notifications/notificationtemplate/add/",
        {
            "event_type": "assign",
            "channel": "email",
            "language": "zh-hans",
            "subject": "邮件：{{ order.tracking_no }}",
            "body": "您好 {{ recipient }}，请处理。",
        },
    )
    assert response.status_code == 302
    order = assigned(users, depts)
    mail = Delivery.objects.get(channel="email", user=users["handler2"])
    assert mail.subject == f"邮件：{order.tracking_no}" and mail.body == "您好 刘强（运检部），请处理。"


@pytest.mark.parametrize(
    "body", ["{% if %}broken", "{{ order.tracking_no|no_such_filter }}", "{% url 'nowhere' %}"]
)
def test_a_broken_template_still_delivers_a_safe_text_and_logs(users, depts, caplog, body):
    NotificationTemplate.objects.filter(event_type="assign", channel="inapp").update(body=body)
    from notifications.rendering import clear_cache

    clear_cache()
    with caplog.at_level(logging.ERROR, logger="notifications.rendering"):
        order = assigned(users, depts)
    note = Notification.objects.get(user=users["handler2"], event_type="assign")
    assert order.tracking_no in note.title and order.tracking_no in note.body
    assert "失败" not in note.body and "{%" not in note.body
    assert any("failed; using the fallback text" in r.getMessage() for r in caplog.records)
    assert Delivery.objects.filter(channel="email", user=users["handler2"]).exists()


BREACH = {"stage": "reply", "due_at": "2026-11-24T10:00:00+08:00"}


def _breach_to_three(users, depts):
    """A breach told to the holder, a supervisor and the department's leader: one message, three
    recipients (the sweep's usual case)."""
    from workorders.lifecycle import record_system_event

    from .conftest import accepted

    order = accepted(users, depts)
    depts["BJ-YJ"].leaders.set([users["handler"]])
    record_system_event(order, "deadline_breached", payload=BREACH)
    return {n.user.username: n for n in Notification.objects.filter(event_type="deadline_breached")}


def test_a_template_naming_the_recipient_is_rendered_for_each_of_them(users, depts):
    from notifications.rendering import clear_cache

    NotificationTemplate.objects.filter(event_type="deadline_breached", channel="inapp").update(
        body="{{ recipient.username }}：{{ order.tracking_no }} 已超期"
    )
    clear_cache()
    notes = _breach_to_three(users, depts)
    assert set(notes) == {"handler2", "supervisor", "handler"}
    for username, note in notes.items():
        assert note.body.startswith(f"{username}："), (username, note.body)


def test_a_template_without_the_recipient_gives_everyone_the_same_text_in_their_language(users, depts):
    NotificationSettings.objects.create(user=users["supervisor"], language="en")
    notes = _breach_to_three(users, depts)
    english = notes.pop("supervisor")
    assert len(notes) == 2 and len({(n.title, n.body) for n in notes.values()}) == 1
    assert "答复" in notes["handler"].body and "答复" not in english.body
    assert english.title != notes["handler"].title
