"""SMS to the customer (issue 15): the acknowledgement, the reply and closing notices, the survey link.

The customer is no user and no rule of the matrix names them: ``customer_deliveries`` runs inside
the notification hook (``services.notify_events``), in the transition's transaction, and writes one
``Message`` and one SMS ``Delivery`` (the outbox) per notice, delivered by the same Celery task as
the staff's SMS after commit. Each message has a ``dedupe_key`` (the acknowledgement once per order,
the others once per event), so a retried or repeated hook writes nothing twice.

| event | SMS (template event type) |
| --- | --- |
| ``submit`` (intake, or a draft submitted) | ``customer_ack``: tracking number, the /track/ page, 95598 |
| ``approve`` | ``customer_survey`` (one-time survey link) per SURVEY_SMS_LEVELS, else ``customer_reply`` |
| any move into ``closed`` but a merge | ``customer_closed`` |

None for an anonymous complaint, one whose customer asked for none (``Complaint.sms_opt_out``), a
contact phone that is no mobile number, or when ``settings.CUSTOMER_SMS`` is off. The texts are
templates of the admin (``defaults.CUSTOMER_SMS``) rendered with a context that holds only what the
customer may read (no staff names, no address), in the customer's language.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse

from complaints.models import MOBILE_RE
from workorders.models import Outcome, Status

from .channels.sms import SMS
from .models import Delivery, Message, SurveyLink
from .rendering import render

if TYPE_CHECKING:
    from collections.abc import Sequence

    from workorders.models import WorkOrder, WorkOrderEvent

logger = logging.getLogger(__name__)

HOTLINE = "95598"
SURVEY_SALT = "notifications.survey"
TRACK_PATH = "/track/"  # the public progress lookup (complaints.public, url name "public:track")


@dataclass(frozen=True)
class CustomerOrder:
    """What a customer template may read of the order (``{{ order.tracking_no }}``): nothing else."""

    tracking_no: str


# --- who gets what ---------------------------------------------------------------------------------


def customer_sms_phone(complaint) -> str:
    """The mobile number the customer's SMS go to, or "" when none may be sent."""
    if not getattr(settings, "CUSTOMER_SMS", True):
        return ""
    if complaint is None or complaint.is_anonymous or complaint.sms_opt_out:
        return ""
    phone = (complaint.phone or "").strip()
    return phone if MOBILE_RE.match(phone) else ""


def customer_language(complaint) -> str:
    """The customer's language: the complaint's when it records one, else the default."""
    language = getattr(complaint, "language", "") or settings.NOTIFY_DEFAULT_LANGUAGE
    return "en" if str(language).startswith("en") else "zh-hans"


def _levels(value) -> set[str] | str:
    values = [str(v).strip().lower() for v in (value or []) if str(v).strip()]
    if "all" in values:
        return "all"
    if not values or "none" in values:
        return set()
    return set(values)


def survey_wanted(order: WorkOrder) -> bool:
    """Does an approved order of this level get a survey link (``settings.SURVEY_SMS_LEVELS``)?"""
    levels = _levels(getattr(settings, "SURVEY_SMS_LEVELS", ["general", "important"]))
    return levels == "all" or order.level in levels


def phone_callback_required(order: WorkOrder) -> bool:
    """Does this order's level keep the agent's phone callback (``SURVEY_PHONE_CALLBACK_LEVELS``)?
    Then a survey answer is recorded beside it and does not close the order."""
    levels = _levels(getattr(settings, "SURVEY_PHONE_CALLBACK_LEVELS", ["special", "major"]))
    return levels == "all" or order.level in levels


# --- the survey link -------------------------------------------------------------------------------


def survey_token(link: SurveyLink) -> str:
    """The signed token of a survey link: its id and nonce, signed with SECRET_KEY."""
    return signing.Signer(salt=SURVEY_SALT).sign(f"{link.pk}.{link.nonce}")


def survey_link_for_token(token: str) -> SurveyLink | None:
    """The survey link a token names, or None when the token is tampered with or unknown."""
    try:
        value = signing.Signer(salt=SURVEY_SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _dot, nonce = value.partition(".")
    if not pk.isdigit():
        return None
    link = SurveyLink.objects.select_related("order").filter(pk=int(pk)).first()
    if link is None or not secrets.compare_digest(link.nonce, nonce):
        return None
    return link


def public_url(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


# --- the hook's part -------------------------------------------------------------------------------


def _notice(order: WorkOrder, event: WorkOrderEvent) -> tuple[str, str] | None:
    """(template event type, dedupe key) of the customer's notice this event stands for, if any."""
    if event.action == "submit":
        return "customer_ack", f"cust:ack:{order.pk}"
    if event.action == "approve":
        kind = "customer_survey" if survey_wanted(order) else "customer_reply"
        return kind, f"cust:approve:{event.pk}"
    if event.to_status == Status.CLOSED and event.from_status != Status.CLOSED:
        if order.outcome == Outcome.MERGED:  # the customer's matter goes on under the other number
            return None
        return "customer_closed", f"cust:closed:{event.pk}"
    return None


def customer_deliveries(pairs: Sequence[tuple[WorkOrder, WorkOrderEvent]]) -> list[Delivery]:
    """Write the customer's SMS for these events (in the caller's transaction); return the outbox
    rows, which the caller queues after commit."""
    wanted = []
    for order, event in pairs:
        notice = _notice(order, event)
        if notice is not None:
            wanted.append((order, event, *notice))
    if not wanted:
        return []
    done = set(
        Message.objects.filter(dedupe_key__in=[w[3] for w in wanted]).values_list("dedupe_key", flat=True)
    )
    rows: list[tuple[Message, Delivery]] = []
    for order, event, kind, dedupe in wanted:
        if dedupe in done:
            continue
        done.add(dedupe)
        complaint = order.complaint
        phone = customer_sms_phone(complaint)
        if not phone:
            continue
        language = customer_language(complaint)
        context = {
            "order": CustomerOrder(order.tracking_no),
            "tracking_no": order.tracking_no,
            "track_url": public_url(TRACK_PATH),
            "hotline": getattr(settings, "CUSTOMER_SMS_HOTLINE", HOTLINE),
            "survey_url": "",
        }
        if kind == "customer_survey":
            link = SurveyLink.objects.create(
                order=order,
                nonce=secrets.token_hex(4),
                approved_at=order.approved_at or event.created_at,
                created_at=event.created_at,
            )
            context["survey_url"] = public_url(reverse("survey:answer", args=[survey_token(link)]))
        _subject, body = render(kind, SMS, language, context)
        message = Message(
            event_type=kind,
            order=order,
            source_event=event,
            dedupe_key=dedupe,
            created_at=event.created_at,
            data={
                "order": {"id": order.pk, "tracking_no": order.tracking_no},
                "event": {"id": event.pk, "action": event.action},
            },
        )
        delivery = Delivery(
            channel=SMS,
            address=phone,
            body=body,
            urgent=False,
            next_attempt_at=event.created_at,
            created_at=event.created_at,
        )
        rows.append((message, delivery))
    if not rows:
        return []
    messages = Message.objects.bulk_create([m for m, _d in rows])
    for message, (_m, delivery) in zip(messages, rows, strict=True):
        delivery.message = message
    return Delivery.objects.bulk_create([d for _m, d in rows])
