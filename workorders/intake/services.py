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

from accounts.models import Department, User
from accounts.selectors import user_covers_department
from complaints.models import Category, Complaint, Customer, IdempotencyKey, normalize_phone
from complaints.services import customer_find_or_create
from complaints.validators import validate_leaf_category
from config.errors import DomainError

from ..lifecycle.actions import check_submittable
from ..rules import workorder_duplicates
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
        external_ref=external_ref,
        created_by=actor,
    )
    if not draft:
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
