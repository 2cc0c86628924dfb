"""Writes of the public surfaces: the progress lookup's answer (and its log), the web intake.

Who files a web complaint (``Complaint.created_by``, ``WorkOrder.received_by``, the events'
actor)? ``web_intake_user()``: one system account, created on demand, named by
``PUBLIC_INTAKE_USERNAME`` (default ``web-95598``), inactive (it cannot sign in), with no role and
no department. Staff pages then say who took the complaint in ("95598 website, self-service"), the
audit trail tells a customer's own filing from an agent's, the attachments have an uploader, and
the intake service runs as for an agent: the order's unit is the customer's supply unit when the
customer is known, else the first company (``workorders.intake.services._intake_unit``). With no
role it sees no order, so it is offered no duplicate and receives no notice (notices go to active
users with a role).
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.models import Category, Channel, IdempotencyKey, PublicRequest
from config.errors import DomainError
from workorders.intake.services import complaint_register, idempotency_run
from workorders.lifecycle import perform
from workorders.lifecycle.events import write_event
from workorders.models import Attachment

from .selectors import normalize_tracking_no, order_for_lookup, order_progress, phone_suffix
from .throttling import PublicLimit

log = logging.getLogger(__name__)

WEB_INTAKE_DISPLAY_NAME = "95598网站（客户自助）"


def web_intake_user() -> User:
    """The system account web complaints are filed as (see the module's docstring)."""
    username = getattr(settings, "PUBLIC_INTAKE_USERNAME", "web-95598")
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": WEB_INTAKE_DISPLAY_NAME,
            "is_active": False,
            "password": make_password(None),  # unusable
        },
    )
    return user


def public_request_log(
    *,
    kind: str,
    outcome: str,
    ip: str | None,
    tracking_no: str = "",
    phone_suffix: str = "",
    order=None,
    order_id: int | None = None,
    detail: dict | None = None,
) -> PublicRequest:
    """One row per answer of a public surface: what was asked (never a full phone) and answered."""
    return PublicRequest.objects.create(
        kind=kind,
        outcome=outcome,
        ip=ip,
        tracking_no=(tracking_no or "")[:32],
        phone_suffix=(phone_suffix or "")[:4],
        order_id=order.pk if order is not None else order_id,
        detail=detail or {},
    )


# --- the progress lookup ------------------------------------------------------------------------


@dataclass
class TrackAnswer:
    """``outcome``: ``found`` (``progress`` holds the answer), ``not_found`` (a wrong pair and a
    missing order alike), ``throttled`` (``retry_after`` seconds) or ``invalid`` (the input)."""

    outcome: str
    progress: dict | None = None
    retry_after: int | None = None
    errors: dict = field(default_factory=dict)


def public_track_lookup(
    *, ip: str | None, tracking_no: str, phone_last4: str, via: str, errors: dict | None = None
) -> TrackAnswer:
    """Answer one progress lookup and log it (``PublicRequest``, kind ``track``).

    In this order: the address limit (``public_track``; every lookup counts, a malformed one too),
    the input (``errors``: what the caller's form or serializer found), the tracking number's limit
    (``public_track_number``: reached by failed lookups, then it refuses every lookup of the number,
    the right pair included), then the lookup itself, where a wrong phone suffix and a missing order
    take the same path and both count as a failure of the number.
    """
    number = normalize_tracking_no(tracking_no)
    suffix = (phone_last4 or "").strip()[:4]
    asked = {"kind": PublicRequest.Kind.TRACK, "ip": ip, "tracking_no": number, "phone_suffix": suffix}
    wait = PublicLimit("public_track").check(ip or "unknown")
    if wait is None and not errors:
        wait = PublicLimit("public_track_number").check(number, count=False)
    if wait is not None:
        public_request_log(**asked, outcome="throttled", detail={"via": via, "retry_after": wait})
        return TrackAnswer("throttled", retry_after=wait)
    if errors:
        public_request_log(**asked, outcome="invalid", detail={"via": via, "fields": sorted(errors)})
        return TrackAnswer("invalid", errors=errors)
    order, named = order_for_lookup(tracking_no=number, phone_last4=suffix)
    if order is None:
        PublicLimit("public_track_number").count(number)
        public_request_log(**asked, outcome="not_found", order=named, detail={"via": via})
        return TrackAnswer("not_found")
    progress = order_progress(order, tracking_no=number)
    public_request_log(**asked, outcome="found", order=order, detail={"via": via, "stage": progress["stage"]})
    return TrackAnswer("found", progress=progress)


# --- web intake ---------------------------------------------------------------------------------

# Keys of the web form in the intake service's Idempotency-Key space of the web intake user.
ONCE_PREFIX = "web-complain:"


@dataclass
class FileAnswer:
    """``outcome``: ``created`` or ``replayed`` (``tracking_no`` set), ``throttled``
    (``retry_after``), ``reused`` (the form's token already filed a different complaint)."""

    outcome: str
    tracking_no: str = ""
    retry_after: int | None = None


def _category_note(category: Category) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the staff's language, not the customer's
        return _("Category chosen by the customer on the website: %(category)s") % {
            "category": f"{category.code} {category.name}"
        }


@transaction.atomic
def _register_web(*, actor: User, fields: dict, category: Category | None, files: list, now) -> dict:
    leaf = category if category is not None and category.is_leaf else None
    complaint = complaint_register(
        actor=actor,
        channel=Channel.WEB_95598,
        # the customer's SMS speak the language the customer filed in
        language="en" if (translation.get_language() or "").startswith("en") else "zh-hans",
        category=leaf,
        received_at=now,
        now=now,
        **fields,
    )
    order = complaint.workorder
    if category is not None and leaf is None:
        # Not a leaf: the dispatcher classifies it; the customer's choice is on the timeline.
        perform(order.pk, "note", actor=None, data={"comment": _category_note(category)}, now=now)
        order.refresh_from_db()
    for upload in files:
        # What the lifecycle's ``attach`` action writes (its role check is for staff): the file, one
        # version on, an ``attach`` event by the web intake user.
        attachment = Attachment.objects.create(
            order=order,
            file=upload,
            original_name=upload.name[:255],
            size=upload.size,
            content_type=getattr(upload, "content_type", "") or "",
            uploaded_by=actor,
            created_at=now,
        )
        order.version += 1
        order.save(update_fields=["version", "updated_at"])
        write_event(
            order,
            "attach",
            actor=actor,
            payload={"attachment": attachment.pk, "name": attachment.original_name, "size": attachment.size},
            now=now,
        )
    return {"tracking_no": complaint.tracking_no, "order": order.pk}


def web_form_filed(nonce: str) -> bool:
    """Whether the form with this nonce has filed its complaint already (a send again replays)."""
    return IdempotencyKey.objects.filter(user=web_intake_user(), key=ONCE_PREFIX + nonce).exists()


def complaint_web_attempt(*, ip: str | None, nonce: str | None) -> FileAnswer | None:
    """The address limit (``public_complain``) of one send of the web form: every send counts,
    a refused one too, but a send again of a form already filed (it files nothing). Answers
    ``throttled`` (logged) when the limit is reached, else None."""
    if nonce and web_form_filed(nonce):
        return None
    wait = PublicLimit("public_complain").check(ip or "unknown")
    if wait is None:
        return None
    public_request_log(
        kind=PublicRequest.Kind.COMPLAIN,
        outcome="throttled",
        ip=ip,
        detail={"limit": "public_complain", "retry_after": wait},
    )
    return FileAnswer("throttled", retry_after=wait)


def complaint_web_refused(*, ip: str | None, reason: str, phone: str = "", fields=()) -> None:
    """Log a send of the web form that was shown again: ``reason`` is ``invalid`` (field errors),
    ``wrong_answer``, ``expired`` or ``unreadable`` (the token)."""
    public_request_log(
        kind=PublicRequest.Kind.COMPLAIN,
        outcome=reason,
        ip=ip,
        phone_suffix=phone_suffix(phone),
        detail={"fields": sorted(fields)},
    )


def complaint_file_web(
    *,
    ip: str | None,
    nonce: str,
    fingerprint: dict,
    fields: dict,
    category: Category | None,
    files: list,
    now=None,
) -> FileAnswer:
    """File a customer's complaint from the website, once per form, and log the answer.

    ``fields`` are the intake service's (``customer_name``, ``phone``, ``account_no``, ``address``,
    ``content``, ``demand``); ``category`` is the customer's level 1–2 choice (a leaf is kept as
    the order's category; otherwise the dispatcher classifies and the choice is noted on the
    timeline). The order starts in classification like a phone complaint, channel ``web_95598``,
    through ``complaint_register`` (repeat detection included) with the form's ``nonce`` as its
    Idempotency-Key: the same form sent again files nothing and answers the first number
    (``replayed``), and counts against no limit; the same form with other contents is ``reused``.
    The caller asked the address limit (``complaint_web_attempt``); this one asks the phone's
    (``public_complain_phone``). ``DomainError`` from the intake service (input) is raised to the
    caller, nothing written.
    """
    now = now or timezone.now()
    actor = web_intake_user()
    key = ONCE_PREFIX + nonce
    phone = fields.get("phone", "")
    asked = {"kind": PublicRequest.Kind.COMPLAIN, "ip": ip, "phone_suffix": phone[-4:]}
    if not web_form_filed(nonce):
        wait = PublicLimit("public_complain_phone").check(phone)
        if wait is not None:
            public_request_log(
                **asked, outcome="throttled", detail={"limit": "public_complain_phone", "retry_after": wait}
            )
            return FileAnswer("throttled", retry_after=wait)
    try:
        answer = idempotency_run(
            user=actor,
            key=key,
            data=fingerprint,
            produce=lambda: (
                201,
                _register_web(actor=actor, fields=fields, category=category, files=files, now=now),
            ),
        )
    except DomainError as exc:
        if exc.code != "idempotency_key_reused":
            public_request_log(
                **asked, outcome="invalid", detail={"code": exc.code, "fields": sorted(exc.fields)}
            )
            raise
        public_request_log(**asked, outcome="reused")
        return FileAnswer("reused")
    body = answer.body
    outcome = "replayed" if answer.replayed else "created"
    public_request_log(
        **asked,
        outcome=outcome,
        tracking_no=body["tracking_no"],
        order_id=body.get("order"),
        detail={"files": len(files), "category": category.code if category else ""},
    )
    return FileAnswer(outcome, tracking_no=body["tracking_no"])
