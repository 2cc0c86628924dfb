"""Intake writes: record a complaint and open its work order; answer a retried request once."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Department, User
from accounts.selectors import user_covers_department
from complaints.models import Category, Complaint, Customer, IdempotencyKey, normalize_phone
from complaints.services import customer_find_or_create
from complaints.validators import validate_leaf_category
from config.errors import DomainError

from ..lifecycle import perform, write_event
from ..lifecycle.actions import check_submittable
from ..models import Status, WorkOrder
from ..rules import workorder_detect_repeat, workorder_duplicates, workorder_minimum_level
from ..selectors import workorders_visible_to
from ..services import workorder_create


def _intake_unit(actor: User, customer: Customer) -> Department:
    # The customer's supply unit, unless it lies outside the agent's company (a customer known to
    # another company): the order must stay in the scope of the agent who takes it.
    if customer.supply_unit_id and (
        actor.department_id is None or user_covers_department(actor, customer.supply_unit)
    ):
        return customer.supply_unit
    if actor.department_id:
        return Department.objects.get(pk=actor.department.root_id)
    root = Department.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        raise DomainError(_("No company is set up yet."), code="no_company")
    return root


@transaction.atomic
def complaint_register(
    *,
    actor: User,
    channel: str,
    customer_name: str = "",
    phone: str = "",
    account_no: str = "",
    address: str,
    content: str,
    demand: str,
    category: Category | None = None,
    received_at=None,
    event_time=None,
    is_anonymous=False,
    is_confidential=False,
    upgrade_tendency=False,
    sms_opt_out=False,
    language="",
    external_ref="",
    related_to=None,
    draft=False,
    now=None,
) -> Complaint:
    """Record a complaint and open its work order; submit it for classification unless a draft.

    The work order carries ``duplicates`` (open orders of the same customer on the same issue) so
    the caller can offer to urge one of them instead. ``now`` is when it is recorded (default: the
    current time); the demo seeder passes past times so the events stay in order.
    """
    now = now or timezone.now()
    phone = normalize_phone(phone)
    try:
        validate_leaf_category(category)
    except ValidationError:
        raise DomainError(
            _("Choose a category of the lowest level."),
            code="invalid",
            fields={"category": [_("Not a leaf category.")]},
        )
    complaint = Complaint(
        channel=channel,
        customer_name=customer_name,
        phone=phone,
        account_no=account_no,
        address=address,
        content=content,
        demand=demand,
        category=category,
        received_at=received_at or now,
        event_time=event_time,
        is_anonymous=is_anonymous,
        is_confidential=is_confidential,
        upgrade_tendency=upgrade_tendency,
        sms_opt_out=sms_opt_out,
        language=language,
        external_ref=external_ref,
        created_by=actor,
    )
    if draft:
        check_draftable(complaint)  # a phone or a name, and some content
    else:
        check_submittable(complaint)  # what the submit action requires, before anything is written
    unit_hint = actor.department and Department.objects.filter(pk=actor.department.root_id).first()
    complaint.customer = customer_find_or_create(
        account_no=account_no, phone=phone, name=customer_name, address=address, unit=unit_hint
    )
    complaint.save(force_insert=True)
    customer = complaint.customer
    complaint.tracking_no = f"{timezone.localtime(complaint.received_at):%Y%m%d}{complaint.pk:07d}"
    complaint.save(update_fields=["tracking_no"])
    # Submitted at once (unless a draft): the order is written in classification with the create
    # and submit events, as creating it and then performing ``submit`` would leave it.
    order = workorder_create(
        complaint=complaint,
        unit=_intake_unit(actor, customer),
        actor=actor,
        now=now,
        related_to=related_to,
        submit=not draft,
    )
    # Shown to the agent (a warning, the API's possible_duplicates): only the orders in their scope.
    order.duplicates = list((workorder_duplicates(order) & workorders_visible_to(actor))[:5])
    complaint.workorder = order
    return complaint


# --- drafts --------------------------------------------------------------------------------------

DRAFT_CALLER_REQUIRED = gettext_lazy("A draft needs the caller's phone number or name.")
DRAFT_CONTENT_REQUIRED = gettext_lazy("A draft needs some content: what the caller has said so far.")

# What an agent may change on a draft (the complaint's fields as intake takes them).
DRAFT_FIELDS = (
    "channel",
    "customer_name",
    "phone",
    "account_no",
    "address",
    "content",
    "demand",
    "category",
    "received_at",
    "event_time",
    "is_anonymous",
    "is_confidential",
    "upgrade_tendency",
    "sms_opt_out",
    "external_ref",
)


def check_draftable(complaint: Complaint) -> None:
    """Refuse (400 ``invalid``, the missing fields) a draft that holds too little to call back about:
    it needs the caller's phone or name, and some content. Everything else waits for the submit."""
    missing = {}
    if not (complaint.phone or "").strip() and not (complaint.customer_name or "").strip():
        missing["phone"] = [DRAFT_CALLER_REQUIRED]
        missing["customer_name"] = [DRAFT_CALLER_REQUIRED]
    if not (complaint.content or "").strip():
        missing["content"] = [DRAFT_CONTENT_REQUIRED]
    if missing:
        raise DomainError(
            _("The draft was not saved: give the caller's phone number or name, and some content."),
            code="invalid",
            fields=missing,
        )


@transaction.atomic
def complaint_draft_update(
    *, actor: User, order_id: int, version: int | None, submit: bool = False, now=None, **fields
) -> WorkOrder:
    """Change a draft (an order still in intake) and, with ``submit``, send it for classification.

    Locks the order; refuses an order outside the actor's scope (``not_found``), one that is no
    longer a draft (``illegal_transition``) or changed since ``version`` (``stale_version``). A saved
    draft needs what ``check_draftable`` asks; a submitted one what the ``submit`` action asks, which
    then runs through ``lifecycle.perform`` (its dispatch clock starts now). The change is recorded
    as a ``draft_edited`` event with the names of the fields that changed.
    """
    now = now or timezone.now()
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"not a draft field: {', '.join(sorted(unknown))}")
    if not workorders_visible_to(actor).filter(pk=order_id).exists():
        raise DomainError(_("Work order not found."), code="not_found")
    order = WorkOrder.objects.select_for_update().select_related("complaint").get(pk=order_id)
    if order.status != Status.INTAKE:
        raise DomainError(_("This order is no longer a draft."), code="illegal_transition")
    if version is not None and int(version) != order.version:
        raise DomainError(
            _("This draft was changed by someone else meanwhile (version %(now)d, you had %(had)d).")
            % {"now": order.version, "had": int(version)},
            code="stale_version",
        )
    complaint = order.complaint
    if "phone" in fields:
        fields["phone"] = normalize_phone(fields["phone"])
    if fields.get("received_at") is None:
        fields.pop("received_at", None)  # left blank: the time the draft was taken stays
    try:
        validate_leaf_category(fields.get("category"))
    except ValidationError:
        raise DomainError(
            _("Choose a category of the lowest level."),
            code="invalid",
            fields={"category": [_("Not a leaf category.")]},
        )
    changed = sorted(name for name, value in fields.items() if getattr(complaint, name) != value)
    for name in changed:
        setattr(complaint, name, fields[name])
    if submit:
        check_submittable(complaint)
    else:
        check_draftable(complaint)
    if changed:
        unit_hint = actor.department and Department.objects.filter(pk=actor.department.root_id).first()
        complaint.customer = customer_find_or_create(
            account_no=complaint.account_no,
            phone=complaint.phone,
            name=complaint.customer_name,
            address=complaint.address,
            unit=unit_hint,
        )
        complaint.save()
        customer = complaint.customer
        order.customer = customer
        order.channel = complaint.channel
        order.category = complaint.category
        order.received_at = complaint.received_at
        order.upgrade_tendency = complaint.upgrade_tendency
        order.is_key_customer, order.is_sensitive = customer.is_key_customer, customer.is_sensitive
        order.unit = _intake_unit(actor, customer)
        workorder_detect_repeat(order)
        order.level = workorder_minimum_level(order)
        order.version += 1
        order.save()
        write_event(order, "draft_edited", actor=actor, payload={"fields": changed}, now=now)
    if submit:
        order = perform(order.pk, "submit", actor=actor, version=order.version, now=now)
    return order


# --- Idempotency-Key ------------------------------------------------------------------------------

IDEMPOTENCY_KEY_MAX_LENGTH = IdempotencyKey._meta.get_field("key").max_length


@dataclass(frozen=True)
class IdempotentAnswer:
    """What to answer: ``status`` and ``body``; ``replayed`` when it is the stored first answer."""

    status: int
    body: Any
    replayed: bool = False


def request_digest(data) -> str:
    """The fingerprint of a request body: the same key with another body is refused."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _stored_answer(*, user: User, key: str, digest: str) -> IdempotentAnswer | None:
    row = IdempotencyKey.objects.filter(user=user, key=key).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise DomainError(
            _("This Idempotency-Key was already used for a different request."),
            code="idempotency_key_reused",
        )
    return IdempotentAnswer(row.response_status, row.response_body, replayed=True)


def idempotency_run(
    *, user: User, key: str, data, produce: Callable[[], tuple[int, Any]]
) -> IdempotentAnswer:
    """Run ``produce`` (→ status, body) once per (user, ``key``) and answer every retry the same.

    The first answer is stored in the same transaction as what ``produce`` writes. A retry gets it
    back (``replayed``); a concurrent duplicate waits on the unique index, rolls its own writes back
    and gets the first one; the same key with a different ``data`` is refused (422
    ``idempotency_key_reused``). Without a key, ``produce`` simply runs. Errors raised by
    ``produce`` are not stored: a corrected retry with the same key may succeed. A key longer than
    ``IDEMPOTENCY_KEY_MAX_LENGTH`` is refused (400 ``invalid``), never cut: two long keys that
    share their beginning would otherwise answer each other.
    """
    key = (key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise DomainError(
            _("The Idempotency-Key header is too long: at most %(max)d characters (this one has %(length)d).")
            % {"max": IDEMPOTENCY_KEY_MAX_LENGTH, "length": len(key)},
            code="invalid",
        )
    if not key:
        status, body = produce()
        return IdempotentAnswer(status, body)
    digest = request_digest(data)
    stored = _stored_answer(user=user, key=key, digest=digest)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            status, body = produce()
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                request_hash=digest,
                response_status=status,
                response_body=json.loads(json.dumps(body, default=str)),
            )
        return IdempotentAnswer(status, body)
    except IntegrityError:
        # A concurrent request with this key committed first: its writes stand, ours rolled back.
        stored = _stored_answer(user=user, key=key, digest=digest)
        if stored is None:
            raise
        return stored
