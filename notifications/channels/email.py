"""Email: Django's email backends (SMTP in production), one connection per batch.

Settings: ``EMAIL_*``, ``DEFAULT_FROM_EMAIL``, ``NOTIFY_SEND_TIMEOUT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext_lazy as _

from . import registry

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Delivery

EMAIL = "email"


def send_email(deliveries: Sequence[Delivery]) -> dict[int, str]:
    results: dict[int, str] = {}
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


def email_address(user: User) -> str:
    return user.email or ""


registry.register(
    registry.ChannelSpec(
        code=EMAIL,
        label=_("Email"),
        user_switchable=True,
        send=send_email,
        address=email_address,
        order=20,
    )
)
