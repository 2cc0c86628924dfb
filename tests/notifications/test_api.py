"""The inbox API and page, preferences, and webhook subscriptions for administrators."""

import pytest

from notifications.models import Notification, NotificationPreference, NotificationRule, WebhookSubscription

from .conftest import assigned, replied

pytestmark = pytest.mark.django_db


def test_my_notifications_list_unread_count_and_mark_read(users, depts, api_client_for):
    # the reply notice is off by default (issue 14): switched on here
    NotificationRule.objects.filter(event_type="reply", recipients="supervisors").update(is_active=True)
    replied(users, depts)  # handler2 was assigned; the supervisor has a reply to review
    api = api_client_for("supervisor")
    body = api.get("/api/v1/notifications/").json()
    assert body["unread"] == 1
    [item] = body["results"]
    assert item["event_type"] == "reply" and item["is_read"] is False and item["tracking_no"]
    # someone else's notification is not visible
    theirs = Notification.objects.filter(user=users["handler2"]).first()
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    # mark read
    marked = api.post(f"/api/v1/notifications/{item['id']}/read/").json()
    assert marked["is_read"] is True and marked["read_at"]
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert api.get("/api/v1/notifications/?unread=1").json()["results"] == []


def test_mark_all_read(users, depts, api_client_for):
    assigned(users, depts)
    api = api_client_for("handler2")
    assert api.get("/api/v1/notifications/unread-count/").json()["unread"] >= 1
    response = api.post("/api/v1/notifications/read/", {}, format="json").json()
    assert response["marked"] >= 1 and response["unread"] == 0


def test_preferences_round_trip(users, api_client_for):
    api = api_client_for("handler")
    body = {
        "quiet_start": "22:00:00",
        "quiet_end": "07:00:00",
        "language": "en",
        "preferences": [{"event_type": "assign", "channel": "email", "enabled": False}],
    }
    assert api.put("/api/v1/notifications/preferences/", body, format="json").status_code == 200
    assert api.get("/api/v1/notifications/preferences/").json() == body
    assert NotificationPreference.objects.get(user=users["handler"]).enabled is False


def test_webhooks_are_for_administrators_only(api_client_for):
    body = {
        "url": "https://hooks.example.com/in",
        "secret": "k",
        "kind": "generic",
        "events": ["assign", "reply"],
    }
    assert api_client_for("supervisor").post("/api/v1/webhooks/", body, format="json").status_code == 403
    assert api_client_for("manager").get("/api/v1/webhooks/").status_code == 403
    admin = api_client_for("admin")
    created = admin.post("/api/v1/webhooks/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert {k: data[k] for k in body} == body
    assert admin.get("/api/v1/webhooks/").json()[0]["id"] == data["id"]
    assert (
        admin.patch(f"/api/v1/webhooks/{data['id']}/", {"is_active": False}, format="json").status_code == 200
    )
    assert WebhookSubscription.objects.get().is_active is False
    bad = admin.post("/api/v1/webhooks/", {**body, "events": ["nonsense"]}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert admin.delete(f"/api/v1/webhooks/{data['id']}/").status_code == 204


def test_inbox_page_lists_marks_read_and_the_navigation_shows_the_badge(users, depts, client):
    order = assigned(users, depts)
    client.force_login(users["handler2"])
    page = client.get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200 and order.tracking_no in html
    assert 'href="/notifications/"' in html and 'badge text-bg-danger">1<' in html
    note = Notification.objects.get(user=users["handler2"])
    response = client.post(f"/notifications/{note.pk}/read/", {"next": "/notifications/"})
    assert response.status_code == 302 and response.url == "/notifications/"
    assert Notification.objects.get(pk=note.pk).read_at is not None
    html = client.get("/").content.decode()
    assert "badge text-bg-danger" not in html


def test_inbox_page_mark_all_and_htmx_fragment(users, depts, client):
    assigned(users, depts)
    client.force_login(users["handler2"])
    fragment = client.get("/notifications/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="inbox-results">')
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=users["handler2"], read_at__isnull=True).exists()
    assert client.get("/notifications/?unread=1").content.decode().count('data-testid="notification"') == 0
