"""The inbox page (issue 14, item 6): items grouped by order, one click opens the order and marks
it read, "mark all read", no notice per approved order for agents, a demo inbox of tens of items,
no doubled punctuation."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import User
from notifications.models import Notification
from notifications.rendering import tidy_punctuation

from .conftest import act, assigned, replied

pytestmark = pytest.mark.django_db

DOUBLED = re.compile(r"：：|。。|，。|，，|、、|；；|。，|：。|！。|？。")


def unread(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def test_an_item_opens_its_order_and_is_then_read(users, depts, page_client_for):
    # given an order assigned to 运维检修部 and urged: two unread notices for handler2
    order = assigned(users, depts)
    act(order, "urge", users["agent"], comment="客户来电催促")
    items = list(Notification.objects.filter(user=users["handler2"], order=order))
    assert len(items) == 2 and unread(users["handler2"]) == 2
    # when handler2 clicks one of them
    response = page_client_for("handler2").get(reverse("notifications:open", args=[items[0].pk]))
    # then the order opens, and the order's notices are read
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:detail", args=[order.pk])
    assert unread(users["handler2"]) == 0


def test_an_item_of_another_user_is_not_found(users, depts, page_client_for):
    order = assigned(users, depts)
    theirs = Notification.objects.get(user=users["handler2"], order=order)
    assert (
        page_client_for("supervisor").get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    )
    assert unread(users["handler2"]) == 1


def test_items_are_grouped_by_order_with_links_that_open_them(users, depts, page_client_for):
    # given two orders, one with two notices
    first = assigned(users, depts)
    act(first, "urge", users["agent"], comment="")
    second = assigned(users, depts)
    # when handler2 opens the inbox
    body = page_client_for("handler2").get(reverse("notifications:inbox")).content.decode()
    # then one group per order, newest activity first, each item a link that opens it
    groups = re.findall(r'data-testid="inbox-group"[^>]*data-order="(\d+)"', body)
    assert groups == [second.tracking_no, first.tracking_no]
    for item in Notification.objects.filter(user=users["handler2"]):
        assert f'href="{reverse("notifications:open", args=[item.pk])}"' in body
    assert body.count('data-testid="notification"') == 3
    assert re.search(r'data-testid="group-unread">2\b', body)  # the first order's group


def test_unread_only_lists_the_groups_with_unread_items(users, depts, page_client_for):
    first, second = assigned(users, depts), assigned(users, depts)
    client = page_client_for("handler2")
    client.get(reverse("notifications:open", args=[Notification.objects.get(order=first).pk]))
    body = client.get(reverse("notifications:inbox"), {"unread": "1"}).content.decode()
    assert re.findall(r'data-order="(\d+)"', body) == [second.tracking_no]


def test_mark_all_read_is_offered_and_works(users, depts, page_client_for):
    # given two unread notices
    assigned(users, depts), assigned(users, depts)
    client = page_client_for("handler2")
    body = client.get(reverse("notifications:inbox")).content.decode()
    button = re.search(r'<button[^>]*data-testid="mark-all-read"[^>]*>', body).group(0)
    assert "disabled" not in button and "全部标为已读" in body
    # when the button is pressed
    response = client.post(reverse("notifications:read-all"))
    # then everything is read, and the button is off
    assert response.status_code == 302 and unread(users["handler2"]) == 0
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert "disabled" in re.search(r'<button[^>]*data-testid="mark-all-read"[^>]*>', body).group(0)


def test_the_agent_is_not_told_of_each_approved_order(users, depts):
    # when a reply is approved (the order goes to the agent's callback queue)
    order = replied(users, depts)
    act(order, "approve", users["supervisor"], comment="同意")
    # then no notice for the agent, nor for the supervisor about the reply (their review queue)
    assert not Notification.objects.filter(user=users["agent"]).exists()
    assert not Notification.objects.filter(user=users["supervisor"], event_type="reply").exists()


def test_the_inbox_page_in_english(users, depts, page_client_for):
    assigned(users, depts)
    body = page_client_for("handler2", language="en").get(reverse("notifications:inbox")).content.decode()
    assert "Mark all read" in body and "1 unread" in body and "Order " in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_doubled_punctuation_on_the_inbox(language, users, depts, page_client_for):
    order = replied(users, depts)
    act(order, "reject", users["supervisor"], reason="措施不具体。")  # the reason brings its own 。
    body = page_client_for("handler2", language=language).get(reverse("notifications:inbox")).content.decode()
    assert not DOUBLED.search(body), DOUBLED.search(body)


def test_rendered_texts_lose_doubled_punctuation():
    assert tidy_punctuation("驳回原因：措施不具体。。请重新处理。") == "驳回原因：措施不具体。请重新处理。"
    assert tidy_punctuation("原因：：x，。") == "原因：x。"
    assert tidy_punctuation("时间：10:30。") == "时间：10:30。"


def test_no_template_has_doubled_punctuation():
    found = [
        (str(path), match.group(0))
        for path in Path(django_settings.BASE_DIR, "templates").rglob("*.html")
        for match in DOUBLED.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# The demo inbox: tens of items per person, not hundreds (``seed_demo``, 300 orders over 90 days).
# Handlers keep the notices that are theirs alone (a new order, an urge, a breach); each unit's
# leaders get its 重要 dispatches and 快报, so the company's manager hears only of what climbs to
# the company; what a queue already shows (an approved order to call back, a reply to review)
# sends none. The demo's people read their inbox as the days went by: only the last two days'
# notices are unread.
# The breach alerts and escalations that reach the manager depend on the hour the demo is seeded (a
# working-time breach is announced in office hours only): 20 to 35 of them, against ~200 when every
# unit's alert climbed to the company manager.
DEMO_TOTALS = {"agent": 20, "dispatcher": 60, "supervisor": 150, "manager": 45}
# Unread: the last two days' notices. The supervisor's count follows the hour the demo is seeded (the
# breaches of the last two days are announced in office hours, or at once for calendar-time limits):
# 45–65 seen across a day, against hundreds before the read history.
UNREAD_AT_MOST = 80


@pytest.mark.slow
def test_the_demo_inboxes_hold_tens_of_items(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    unread = Count("notifications", filter=Q(notifications__read_at__isnull=True))
    counts = {
        u.username: (u, u.n, u.unread) for u in User.objects.annotate(n=Count("notifications"), unread=unread)
    }
    for username, bound in DEMO_TOTALS.items():
        _user, items, _unread = counts[username]
        assert items <= bound, (username, items)
    # the callback queue is the agent's worklist: only the quality results of the demo round reach them
    agent_kinds = set(
        Notification.objects.filter(user=counts["agent"][0]).values_list("event_type", flat=True)
    )
    assert agent_kinds <= {"quality_scored", "quality_decided"}, agent_kinds
    for user, items, unread in counts.values():
        assert unread <= UNREAD_AT_MOST, (user.username, unread)
        if user.has_role("handler"):
            assert items <= 150, (user.username, items)
    # each supply unit's leader hears of its own unit's serious and important orders
    for username in ("leader_cd", "leader_cx", "leader_cn"):
        user = counts[username][0]
        kinds = set(Notification.objects.filter(user=user).values_list("event_type", flat=True))
        assert kinds & {"important_assigned", "serious_complaint"}, (username, kinds)
        theirs = Q(order__unit=user.department) | Q(order__department=user.department)
        assert not Notification.objects.filter(user=user).exclude(theirs).exists()
