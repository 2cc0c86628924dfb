"""``config.bulk.insert_rows``: plain rows in, the same rows as ``bulk_create`` would write out (on
PostgreSQL one multi-row INSERT; elsewhere ``bulk_create`` itself)."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.bulk import insert_rows
from notifications.models import Delivery, Message, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(build):
    return build.order("assignment")


@pytest.fixture
def message(order):
    return Message.objects.create(event_type="assign", order=order, data={"order": {"id": order.pk}})


def test_rows_get_their_ids_in_order_and_the_defaults_of_what_they_leave_out(message, users):
    now = timezone.now()
    later = now + dt.timedelta(hours=8)
    common = {"message_id": message.pk, "body": "请及时受理", "created_at": now}
    rows = [
        {**common, "channel": "email", "user_id": users["agent"].pk, "address": "a@example.com",
         "subject": "新工单", "next_attempt_at": now},
        {**common, "channel": "sms", "user_id": users["handler"].pk, "address": "13900000000",
         "urgent": True, "next_attempt_at": later},
    ]  # fmt: skip
    ids = insert_rows(Delivery, rows)
    first, second = (Delivery.objects.get(pk=pk) for pk in ids)
    assert (first.channel, first.address, first.subject) == ("email", "a@example.com", "新工单")
    assert (second.channel, second.urgent, second.next_attempt_at) == ("sms", True, later)
    # what the rows left out is the model's default, as bulk_create would write it
    assert (first.state, first.attempts, first.claim_token, first.last_error, first.urgent) == (
        Delivery.State.PENDING, 0, "", "", False,
    )  # fmt: skip
    assert first.subscription_id is None and first.sent_at is None and second.subject == ""


def test_many_rows_go_in_batches_of_one_statement_each(message, users):
    rows = [
        {"user_id": users["agent"].pk, "message_id": message.pk, "event_type": "assign",
         "order_id": message.order_id, "title": f"第{i}条", "body": "", "created_at": timezone.now()}
        for i in range(1)
    ]  # fmt: skip
    # one recipient per message and user (a unique constraint): other users for the rest
    others = [Message.objects.create(event_type="assign", order_id=message.order_id) for _ in range(4)]
    rows += [{**rows[0], "message_id": m.pk, "title": f"第{i + 1}条"} for i, m in enumerate(others)]
    with CaptureQueriesContext(connection) as queries:
        ids = insert_rows(Notification, rows, batch_size=2)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3  # 2 + 2 + 1 rows
    assert [Notification.objects.get(pk=pk).title for pk in ids] == [f"第{i}条" for i in range(5)]
    assert all(n.read_at is None and n.urgent is False for n in Notification.objects.filter(pk__in=ids))


def test_json_and_uuid_fields_are_adapted(order):
    key = uuid.uuid4()
    row = {"event_type": "assign", "order_id": order.pk, "data": {"x": [1, "二"]}}
    [pk] = insert_rows(Message, [{**row, "uuid": key}])
    saved = Message.objects.get(pk=pk)
    assert saved.uuid == key and saved.data == {"x": [1, "二"]}
    # a callable default is called per row: two rows, two uuids
    a, b = insert_rows(Message, [row, row])
    assert Message.objects.get(pk=a).uuid != Message.objects.get(pk=b).uuid


def test_an_unknown_field_is_refused_before_anything_is_written(order):
    before = Message.objects.count()
    with pytest.raises((ValueError, TypeError)):
        insert_rows(Message, [{"event_type": "assign", "colour": "red"}])
    assert Message.objects.count() == before


def test_no_rows_write_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert insert_rows(Notification, []) == []
    assert len(queries.captured_queries) == 0
