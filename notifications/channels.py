"""Channel backends: email (Django's email backends), SMS (gateway interface) and webhooks.

Each ``send_*`` function takes a batch of claimed deliveries and returns ``{delivery_id: error}``
for the ones that failed (an empty string means sent), so a worker reuses one SMTP connection or
one HTTP keep-alive connection for a whole batch.
"""

import base64
import hashlib
import hmac
import http.client
import json
import logging
import threading
import time
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


# --- email ----------------------------------------------------------------------------------------


def send_email(deliveries) -> dict:
    results = {}
    connection = get_connection(fail_silently=False, timeout=settings.NOTIFY_SEND_TIMEOUT)
    try:
        connection.open()
        for d in deliveries:
            try:
                EmailMessage(
                    d.subject,
                    d.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [d.address],
                    connection=connection,
                    headers={"X-Notification-Id": str(d.message.uuid)},
                ).send()
                results[d.pk] = ""
            except Exception as exc:  # noqa: BLE001 - every failure is retried and logged
                results[d.pk] = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - the server is unreachable: the whole batch fails
        for d in deliveries:
            results.setdefault(d.pk, f"{type(exc).__name__}: {exc}")
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            pass
    return results


# --- SMS ------------------------------------------------------------------------------------------


class SmsError(Exception):
    pass


class BaseSmsBackend:
    """The gateway interface: ``send(phone, text, *, ref)`` raises ``SmsError`` on failure."""

    def send(self, phone: str, text: str, *, ref: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: writes each message to the log."""

    def send(self, phone, text, *, ref):
        logger.info("SMS to %s [%s]: %s", phone, ref, text)


class FileSmsBackend(BaseSmsBackend):
    """Development: appends one JSON line per message to ``SMS_FILE_PATH``."""

    _lock = threading.Lock()

    def __init__(self, path=None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, phone, text, *, ref):
        line = json.dumps({"phone": phone, "text": text, "ref": ref, "at": time.time()}, ensure_ascii=False)
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class HttpSmsBackend(BaseSmsBackend):
    """Production: POSTs ``{"phone", "text", "ref", "sign_name"}`` as JSON to ``SMS_GATEWAY_URL``
    with ``Authorization: Bearer SMS_GATEWAY_TOKEN``; any 2xx answer counts as accepted (the
    gateway should use ``ref`` to drop repeats)."""

    def send(self, phone, text, *, ref):
        body = json.dumps(
            {"phone": phone, "text": text, "ref": ref, "sign_name": settings.SMS_GATEWAY_SIGN_NAME},
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if settings.SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
        status, answer = http_post(settings.SMS_GATEWAY_URL, body, headers)
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered {status}: {answer[:200]!r}")


def sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(deliveries) -> dict:
    backend, results = sms_backend(), {}
    for d in deliveries:
        try:
            backend.send(d.address, d.body, ref=str(d.message.uuid) + f"/{d.pk}")
            results[d.pk] = ""
        except Exception as exc:  # noqa: BLE001
            results[d.pk] = f"{type(exc).__name__}: {exc}"
    return results


# --- HTTP (keep-alive connections per thread) -----------------------------------------------------

_local = threading.local()


def _connection(scheme, netloc):
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (scheme, netloc)
    conn = pool.get(key)
    if conn is None:
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = pool[key] = cls(netloc, timeout=settings.NOTIFY_SEND_TIMEOUT)
    return conn


def _drop(scheme, netloc):
    conn = getattr(_local, "pool", {}).pop((scheme, netloc), None)
    if conn is not None:
        conn.close()


def http_post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST with a reused keep-alive connection; one retry when a reused connection was stale."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    for attempt in (1, 2):
        conn = _connection(parts.scheme, parts.netloc)
        fresh = conn.sock is None
        try:
            conn.request("POST", target, body=body, headers={**headers, "Content-Length": str(len(body))})
            response = conn.getresponse()
            answer = response.read()
            if response.will_close:
                _drop(parts.scheme, parts.netloc)
            return response.status, answer
        except (
            http.client.RemoteDisconnected,
            BrokenPipeError,
            ConnectionResetError,
            http.client.CannotSendRequest,
            http.client.ResponseNotReady,
        ):
            _drop(parts.scheme, parts.netloc)
            if fresh or attempt == 2:
                raise
        except Exception:
            _drop(parts.scheme, parts.netloc)
            raise
    raise RuntimeError("unreachable")


# --- webhooks -------------------------------------------------------------------------------------


def generic_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`` (design.md, API)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk robot signed mode: sign = urlencode(base64(HMAC-SHA256(secret, ts + "\\n" + secret)))."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def webhook_request(delivery, *, now: float | None = None) -> tuple[str, bytes, dict]:
    """(url, body, headers) for one webhook delivery."""
    sub, message = delivery.subscription, delivery.message
    now = time.time() if now is None else now
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "95598-workorders/1"}
    if sub.kind == sub.Kind.GENERIC:
        body = json.dumps(
            {
                "id": str(message.uuid),
                "type": message.event_type,
                "created_at": message.created_at.isoformat(),
                "data": message.data,
            },
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        timestamp = str(int(now))
        headers["X-Webhook-Id"] = str(message.uuid)
        headers["X-Webhook-Timestamp"] = timestamp
        if sub.secret:
            headers["X-Webhook-Signature"] = generic_signature(sub.secret, timestamp, body)
        return sub.url, body, headers
    text = f"**{delivery.subject}**\n\n{delivery.body}" if delivery.subject else delivery.body
    if sub.kind == sub.Kind.WECOM:
        body = json.dumps({"msgtype": "markdown", "markdown": {"content": text}}, ensure_ascii=False).encode()
        return sub.url, body, headers
    body = json.dumps(
        {"msgtype": "markdown", "markdown": {"title": delivery.subject or delivery.body[:30], "text": text}},
        ensure_ascii=False,
    ).encode()
    url = dingtalk_signed_url(sub.url, sub.secret, int(now * 1000)) if sub.secret else sub.url
    return url, body, headers


def send_webhooks(deliveries) -> dict:
    results = {}
    for d in deliveries:
        try:
            url, body, headers = webhook_request(d)
            status, answer = http_post(url, body, headers)
            if not 200 <= status < 300:
                results[d.pk] = f"HTTP {status}: {answer[:200]!r}"
                continue
            if d.subscription.kind != d.subscription.Kind.GENERIC:
                # The robots answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else failed.
                try:
                    errcode = json.loads(answer or b"{}").get("errcode", 0)
                except ValueError:
                    errcode = -1
                if errcode != 0:
                    results[d.pk] = f"robot errcode {errcode}: {answer[:200]!r}"
                    continue
            results[d.pk] = ""
        except Exception as exc:  # noqa: BLE001
            results[d.pk] = f"{type(exc).__name__}: {exc}"
    return results


SENDERS = {"email": send_email, "sms": send_sms, "webhook": send_webhooks}
