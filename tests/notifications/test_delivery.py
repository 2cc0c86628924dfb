"""Outbox delivery: real SMTP, signed webhooks, robots, retries, dead rows, idempotence."""

import base64
import email
import email.header
import hashlib
import hmac
import json
import shutil
import subprocess
import time
import urllib.parse
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Delivery, DeliveryAttempt, WebhookSubscription

from .conftest import assigned
from .servers import smtp_server, webhook_sink

pytestmark = pytest.mark.django_db


def pending_ids(channel):
    return list(Delivery.objects.filter(channel=channel, state="pending").values_list("pk", flat=True))


def test_email_reaches_a_real_smtp_server(users, depts, settings):
    with smtp_server() as (port, received):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        order = assigned(users, depts)
        # when
        counts = tasks.deliver(pending_ids("email"))
    # then
    assert counts["sent"] == 1
    [mail] = received
    assert mail["to"] == ["handler2@example.com"]
    parsed = email.message_from_string(mail["data"])
    subject = str(email.header.make_header(email.header.decode_header(parsed["Subject"])))
    assert subject == f"新派工单 {order.tracking_no}"
    delivery = Delivery.objects.get(channel="email")
    assert (
        delivery.state == "sent"
        and delivery.sent_at
        and parsed["X-Notification-Id"] == str(delivery.message.uuid)
    )
    assert list(delivery.log.values_list("ok", flat=True)) == [True]


def test_smtp_down_keeps_the_email_for_a_retry(users, depts, settings):
    from .servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    assigned(users, depts)
    counts = tasks.deliver(pending_ids("email"))
    assert counts == {"claimed": 1, "sent": 0, "failed": 1, "dead": 0}
    delivery = Delivery.objects.get(channel="email")
    assert delivery.state == "pending" and delivery.attempts == 1 and "Connection" in delivery.last_error


def test_generic_webhook_is_signed_as_design_md_says(users, depts):
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url, secret="s3cret", kind="generic", events=["assign"])
        order = assigned(users, depts)
        tasks.deliver(pending_ids("webhook"))
    [request] = sink.requests
    headers, body = request["headers"], request["body"]
    # the receiver's check, written independently of the sender
    timestamp = headers["X-Webhook-Timestamp"]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 300
    payload = json.loads(body)
    assert set(payload) == {"id", "type", "created_at", "data"}
    assert payload["type"] == "assign" and payload["data"]["order"]["tracking_no"] == order.tracking_no
    assert payload["data"]["event"]["action"] == "assign"
    assert payload["id"] == str(Delivery.objects.get(channel="webhook").message.uuid)


def test_a_tampered_body_does_not_verify(users, depts):
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url, secret="s3cret", kind="generic")
        assigned(users, depts)
        tasks.deliver(pending_ids("webhook"))
    request = sink.requests[0]
    tampered = request["body"].replace(b'"assign"', b'"reject"')
    mac = hmac.new(
        b"s3cret", request["headers"]["X-Webhook-Timestamp"].encode() + b"." + tampered, hashlib.sha256
    )
    assert request["headers"]["X-Webhook-Signature"] != "sha256=" + mac.hexdigest()


def test_subscriptions_receive_only_their_events(users, depts):
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url, secret="x", events=["reply"])
        WebhookSubscription.objects.create(url=sink.url + "?all", secret="x", events=[])
        WebhookSubscription.objects.create(url=sink.url + "?off", secret="x", is_active=False)
        assigned(users, depts)
        tasks.deliver(pending_ids("webhook"))
    types = sorted((r["path"], json.loads(r["body"])["type"]) for r in sink.requests)
    # only the catch-all subscription, for every event from intake to assignment
    assert {path for path, _ in types} == {"/hook?all"}
    assert [t for _, t in types].count("assign") == 1 and "create" in [t for _, t in types]


def test_wecom_robot_gets_a_markdown_message(users, depts):
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url + "?key=abc", kind="wecom", events=["assign"])
        order = assigned(users, depts)
        tasks.deliver(pending_ids("webhook"))
    [request] = sink.requests
    assert request["path"] == "/hook?key=abc"
    body = json.loads(request["body"])
    assert body["msgtype"] == "markdown" and order.tracking_no in body["markdown"]["content"]
    assert Delivery.objects.get(channel="webhook").state == "sent"


def _dingtalk_sign_openssl(timestamp: str, secret: str) -> str:
    """DingTalk's documented algorithm, computed by openssl rather than Python's hmac."""
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret, "-binary"],
        input=f"{timestamp}\n{secret}".encode(),
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(digest).decode()


def test_dingtalk_signed_mode_matches_their_algorithm(users, depts):
    secret = "SEC0123456789abcdef+/=="
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(
            url=sink.url + "?access_token=tok", secret=secret, kind="dingtalk", events=["assign"]
        )
        order = assigned(users, depts)
        tasks.deliver(pending_ids("webhook"))
    [request] = sink.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    assert query["access_token"] == ["tok"]
    timestamp, sign = query["timestamp"][0], query["sign"][0]  # parse_qs undoes the urlencoding
    assert abs(int(timestamp) - time.time() * 1000) < 3600 * 1000  # DingTalk refuses older than an hour
    if shutil.which("openssl"):
        assert sign == _dingtalk_sign_openssl(timestamp, secret)
    string_to_sign = f"{timestamp}\n{secret}".encode()
    assert (
        base64.b64decode(sign)
        == hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    )
    # the raw query carries the urlencoded form (+ / = escaped)
    raw_sign = request["path"].split("sign=")[1].split("&")[0]
    assert raw_sign == urllib.parse.quote_plus(sign) and "+" not in raw_sign
    body = json.loads(request["body"])
    assert body["msgtype"] == "markdown" and order.tracking_no in body["markdown"]["text"]


def test_dingtalk_known_vector():
    from notifications.channels import dingtalk_signed_url

    # fixed inputs: the expected value is computed by openssl when available, else by the documented formula
    secret, ts = "SECabc", 1700000000000
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", secret, ts)
    sign = urllib.parse.unquote_plus(url.split("sign=")[1])
    expected = (
        _dingtalk_sign_openssl(str(ts), secret)
        if shutil.which("openssl")
        else base64.b64encode(
            hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
    )
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign=")
    assert sign == expected


def test_a_robot_errcode_counts_as_a_failure(users, depts):
    with webhook_sink() as sink:
        sink.answer = b'{"errcode":310000,"errmsg":"sign not match"}'
        WebhookSubscription.objects.create(url=sink.url, kind="dingtalk", secret="x", events=["assign"])
        assigned(users, depts)
        counts = tasks.deliver(pending_ids("webhook"))
    assert counts["failed"] == 1
    assert "310000" in Delivery.objects.get(channel="webhook").last_error


def test_failures_back_off_exponentially_then_die_and_an_admin_can_retry(
    users, depts, settings, published, client
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    with webhook_sink() as sink:
        sink.status = 503
        WebhookSubscription.objects.create(url=sink.url, secret="x", events=["assign"])
        assigned(users, depts)
        [pk] = pending_ids("webhook")
        published.clear()
        delays = []
        for attempt in (1, 2, 3):
            tasks.deliver([pk])
            row = Delivery.objects.get(pk=pk)
            assert row.attempts == attempt
            if row.state == "pending":
                last = row.log.last()
                delays.append(round((row.next_attempt_at - last.created_at).total_seconds()))
                # not due yet: a repeated task does nothing
                assert tasks.deliver([pk])["claimed"] == 0
                Delivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert delays == [30, 60]
        assert [kw.get("countdown") for _ids, kw in published] == [30, 60]
        row = Delivery.objects.get(pk=pk)
        assert row.state == "dead" and "HTTP 503" in row.last_error
        assert list(row.log.values_list("attempt", "ok")) == [(1, False), (2, False), (3, False)]
        assert len(sink.requests) == 3
        # when: the receiver is fixed and an administrator presses retry in the admin
        sink.status = 200
        client.force_login(users["admin"])
        page = client.get(f"/admin/notifications/delivery/{pk}/change/")
        assert page.status_code == 200 and "HTTP 503" in page.content.decode()
        published.clear()
        response = client.post(
            "/admin/notifications/delivery/", {"action": "retry", "_selected_action": [pk]}
        )
        assert response.status_code == 302
        row = Delivery.objects.get(pk=pk)
        assert row.state == "pending" and row.attempts == 0
        tasks.deliver([pk])
    assert Delivery.objects.get(pk=pk).state == "sent" and len(sink.requests) == 4


def test_the_admin_retry_queues_after_commit(users, depts, published, django_capture_on_commit_callbacks):
    assigned(users, depts)
    [pk] = pending_ids("email")
    Delivery.objects.filter(pk=pk).update(state="dead", attempts=6)
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_retry(ids=[pk]) == 1
    assert published == [([pk], {"retry": False, "ignore_result": True})]


def test_a_delivery_task_run_twice_sends_once(users, depts):
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url, secret="x", events=["assign"])
        assigned(users, depts)
        ids = pending_ids("webhook") + pending_ids("email")
        # when
        first = tasks.deliver(ids)
        second = tasks.deliver(ids)
    # then
    assert first["claimed"] == 2 and first["sent"] == 2
    assert second == {"claimed": 0, "sent": 0, "failed": 0, "dead": 0}
    assert len(sink.requests) == 1
    from django.core import mail

    assert len(mail.outbox) == 1
    assert DeliveryAttempt.objects.count() == 2


def test_transitions_queue_their_deliveries_after_commit(
    users, depts, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assigned(users, depts)
        assert published == []  # nothing is published inside the transaction
    for callback in callbacks:
        callback()
    queued = {pk for ids, _kw in published for pk in ids}
    assert queued == set(Delivery.objects.values_list("pk", flat=True)) and queued


def test_the_beat_job_requeues_due_rows_and_releases_stale_claims(users, depts, settings, published):
    settings.NOTIFY_REQUEUE_GRACE_SECONDS = 20
    settings.NOTIFY_CLAIM_LEASE_SECONDS = 300
    assigned(users, depts)  # one email, fresh
    now = timezone.now()
    fresh = Delivery.objects.get(channel="email")
    old = Delivery.objects.create(
        message=fresh.message,
        channel="email",
        address="a@example.com",
        next_attempt_at=now - timedelta(minutes=5),
    )
    stale = Delivery.objects.create(
        message=fresh.message,
        channel="email",
        address="b@example.com",
        state="sending",
        claimed_at=now - timedelta(minutes=10),
        attempts=1,
    )
    claimed_now = Delivery.objects.create(
        message=fresh.message,
        channel="email",
        address="c@example.com",
        state="sending",
        claimed_at=now,
        attempts=1,
    )
    later = Delivery.objects.create(
        message=fresh.message,
        channel="email",
        address="d@example.com",
        next_attempt_at=now + timedelta(hours=1),
    )
    published.clear()
    # when
    result = tasks.requeue_undelivered()
    # then
    queued = {pk for ids, _kw in published for pk in ids}
    assert queued == {old.pk, stale.pk}
    assert result["released"] == 1 and Delivery.objects.get(pk=stale.pk).state == "pending"
    assert Delivery.objects.get(pk=claimed_now.pk).state == "sending"
    assert later.pk not in queued and fresh.pk not in queued


def test_a_late_result_from_a_released_claim_does_not_overwrite(users, depts):
    """A worker that lost its claim (lease expired, another worker took over) cannot mark the row."""
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url, secret="x", events=["assign"])
        assigned(users, depts)
        [pk] = pending_ids("webhook")
        Delivery.objects.filter(pk=pk).update(
            state="sending", claim_token="someone-else", claimed_at=timezone.now()
        )
        assert tasks.deliver([pk])["claimed"] == 0
    assert Delivery.objects.get(pk=pk).state == "sending" and sink.requests == []


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL: concurrent connections to one test database",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_running_the_same_task_at_once_send_once():
    import threading

    from django.db import connection

    from accounts.demo import seed_organisation

    from .conftest import new_order

    _depts, seeded = seed_organisation(password="x")
    users = {u.username: u for u, _ in seeded}
    with webhook_sink() as sink:
        WebhookSubscription.objects.create(url=sink.url, secret="x")
        for i in range(5):
            new_order(users, content=f"并发 {i}")
        ids = pending_ids("webhook")
        barrier, results = threading.Barrier(4), []

        def worker():
            try:
                barrier.wait()
                results.append(tasks.deliver(ids))
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sum(r["sent"] for r in results) == len(ids) == 10
    ids_received = [json.loads(r["body"])["id"] for r in sink.requests]
    assert len(ids_received) == len(set(ids_received)) == 10
