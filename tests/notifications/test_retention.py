"""purge_notifications: old, finished notification history goes; anything still to send, recent
history and the orders' events stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications.models import Delivery, Message, Notification
from workorders.models import WorkOrderEvent

from .conftest import assigned

pytestmark = pytest.mark.django_db


def age(days):
    old = timezone.now() - timedelta(days=days)
    return old


def test_old_finished_history_is_deleted_and_the_rest_kept(users, depts):
    old_order = assigned(users, depts)
    new_order = assigned(users, depts)
    old = Message.objects.filter(order=old_order)
    assert old.exists() and Delivery.objects.filter(message__in=old).exists()
    old.update(created_at=age(400))
    Delivery.objects.filter(message__in=old).update(state="sent")
    finished = old.count()
    first_event = WorkOrderEvent.objects.filter(order=old_order).first()
    # one old message still has a delivery waiting: it stays
    waiting = Message.objects.create(
        event_type="assign",
        order=old_order,
        source_event=first_event,
    )
    Message.objects.filter(pk=waiting.pk).update(created_at=age(400))
    Delivery.objects.create(message=waiting, channel="email", address="x@example.com", state="pending")
    events = WorkOrderEvent.objects.count()
    out = StringIO()
    call_command("purge_notifications", "--days", "365", "--dry-run", stdout=out)
    assert f"{finished} messages" in out.getvalue() and Message.objects.filter(order=old_order).count() > 1
    call_command("purge_notifications", "--days", "365", "--batch", "1", stdout=out)
    assert list(Message.objects.filter(order=old_order)) == [waiting]
    assert Delivery.objects.filter(message=waiting).exists()
    assert not Notification.objects.filter(order=old_order).exists()
    assert Message.objects.filter(order=new_order).exists() and Notification.objects.filter(order=new_order)
    assert WorkOrderEvent.objects.count() == events  # the audit trail is never touched


def test_it_refuses_to_purge_recent_history():
    with pytest.raises(CommandError):
        call_command("purge_notifications", "--days", "7")
