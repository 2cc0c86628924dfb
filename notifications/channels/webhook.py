"""Webhooks: generic JSON signed with HMAC-SHA256, WeCom and DingTalk group robots.

Webhook deliveries go to ``WebhookSubscription`` rows (administrators manage them), not to the
recipients of a rule, so rules cannot name this channel. Before each send the URL's host is resolved
and checked again (``destinations``) and the request goes to the checked addresses; a URL that now
points at a forbidden address is refused without retries. Settings: ``NOTIFY_SEND_TIMEOUT``,
``WEBHOOK_ALLOW_PRIVATE_NETWORKS`` (default False), ``WEBHOOK_RESPONSE_LOG_CHARS`` (how much of a
receiver's answer the delivery log keeps, default 2,000 characters).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

from . import registry
from .destinations import DestinationRefused, checked_addresses
from .httppool import http_post

if TYPE_CHECKING:
    from ..models import Delivery

WEBHOOK = "webhook"


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


def webhook_request(delivery: Delivery, *, now: float | None = None) -> tuple[str, bytes, dict]:
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


RESPONSE_LOG_CHARS = 2000


def answer_for_log(answer: bytes) -> str:
    """A receiver's answer as the delivery log keeps it: decoded, at most
    ``WEBHOOK_RESPONSE_LOG_CHARS`` characters (marked when cut)."""
    limit = max(int(getattr(settings, "WEBHOOK_RESPONSE_LOG_CHARS", RESPONSE_LOG_CHARS)), 0)
    text = answer.decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "…"


def send_webhooks(deliveries: Sequence[Delivery]) -> dict[int, str]:
    results: dict[int, str] = {}
    for d in deliveries:
        try:
            url, body, headers = webhook_request(d)
            addresses = checked_addresses(url)
            status, answer = http_post(url, body, headers, addresses=addresses)
            if not 200 <= status < 300:
                results[d.pk] = f"HTTP {status}: {answer_for_log(answer)}"
                continue
            if d.subscription.kind != d.subscription.Kind.GENERIC:
                # The robots answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else failed.
                try:
                    errcode = json.loads(answer or b"{}").get("errcode", 0)
                except ValueError:
                    errcode = -1
                if errcode != 0:
                    results[d.pk] = f"robot errcode {errcode}: {answer_for_log(answer)}"
                    continue
            results[d.pk] = ""
        except DestinationRefused as exc:
            results[d.pk] = registry.Refused(f"refused: {exc}")
        except Exception as exc:  # noqa: BLE001
            results[d.pk] = f"{type(exc).__name__}: {exc}"
    return results


registry.register(
    registry.ChannelSpec(code=WEBHOOK, label=_("Webhook"), in_rules=False, send=send_webhooks, order=40)
)
