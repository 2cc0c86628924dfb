"""SMS through a gateway interface; console and file backends for development.

Settings: ``SMS_BACKEND`` (dotted path of a ``BaseSmsBackend``), ``SMS_GATEWAY_URL``,
``SMS_GATEWAY_TOKEN``, ``SMS_GATEWAY_SIGN_NAME``, ``SMS_FILE_PATH``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from . import registry
from .httppool import http_post

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Delivery

logger = logging.getLogger(__name__)

SMS = "sms"


class SmsError(Exception):
    pass


class BaseSmsBackend:
    """The gateway interface: ``send(phone, text, *, ref)`` raises ``SmsError`` on failure."""

    def send(self, phone: str, text: str, *, ref: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: writes each message to the log."""

    def send(self, phone: str, text: str, *, ref: str) -> None:
        logger.info("SMS to %s [%s]: %s", phone, ref, text)


class FileSmsBackend(BaseSmsBackend):
    """Development: appends one JSON line per message to ``SMS_FILE_PATH``."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, phone: str, text: str, *, ref: str) -> None:
        line = json.dumps({"phone": phone, "text": text, "ref": ref, "at": time.time()}, ensure_ascii=False)
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class HttpSmsBackend(BaseSmsBackend):
    """Production: POSTs ``{"phone", "text", "ref", "sign_name"}`` as JSON to ``SMS_GATEWAY_URL``
    with ``Authorization: Bearer SMS_GATEWAY_TOKEN``; any 2xx answer counts as accepted (the
    gateway should use ``ref`` to drop repeats)."""

    def send(self, phone: str, text: str, *, ref: str) -> None:
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
    # Older SMS_BACKEND values name notifications.channels.<Class> (when this was one module):
    # the package re-exports the backends, so they still import.
    return import_string(settings.SMS_BACKEND)()


def send_sms(deliveries: Sequence[Delivery]) -> dict[int, str]:
    backend, results = sms_backend(), {}
    for d in deliveries:
        try:
            backend.send(d.address, d.body, ref=str(d.message.uuid) + f"/{d.pk}")
            results[d.pk] = ""
        except Exception as exc:  # noqa: BLE001
            results[d.pk] = f"{type(exc).__name__}: {exc}"
    return results


def sms_address(user: User) -> str:
    return user.phone or ""


registry.register(
    registry.ChannelSpec(
        code=SMS,
        label=_("SMS"),
        user_switchable=True,
        send=send_sms,
        address=sms_address,
        order=30,
    )
)
