"""Intake: find or create the customer, record the complaint, open its work order."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status as http

from accounts.models import Department, User
from config.api import DomainError

from .models import Category, Complaint, Customer, normalize_phone


def customer_find_or_create(
    *, account_no: str, phone: str, name: str, address: str, unit: Department
) -> Customer:
    """By account number (户号) when given, else by phone; fills blanks, never overwrites."""
    customer = None
    if account_no:
        customer = Customer.objects.select_for_update().filter(account_no=account_no).first()
    if customer is None and phone:
        by_phone = Customer.objects.select_for_update().filter(phone=phone)
        if account_no:  # a phone-only record of the same person gets the account number now
            by_phone = by_phone.filter(account_no__isnull=True)
        customer = by_phone.order_by("pk").first()
    if customer is None:
        return Customer.objects.create(
            account_no=account_no or None,
            phone=phone,
            name=name,
            address=address,
            supply_unit=unit,
        )
    changed = []
    for field, value in (
        ("account_no", account_no or None),
        ("name", name),
        ("address", address),
        ("phone", phone),
    ):
        if value and not getattr(customer, field):
            setattr(customer, field, value)
            changed.append(field)
    if phone and phone not in (customer.phone, customer.alt_phone) and not customer.alt_phone:
        customer.alt_phone = phone
        changed.append("alt_phone")
    if changed:
        customer.save(update_fields=changed + ["updated_at"])
    return customer


def _intake_unit(actor: User, customer: Customer) -> Department:
    from accounts.selectors import user_covers_department

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
        raise DomainError(
            _("No company is set up yet."), code="no_company", status_code=http.HTTP_400_BAD_REQUEST
        )
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
    from workorders.lifecycle import perform
    from workorders.rules import (
        workorder_detect_repeat,
        workorder_duplicates,
        workorder_minimum_level,
    )
    from workorders.services import workorder_create

    now = now or timezone.now()
    phone = normalize_phone(phone)
    if category is not None and not category.is_leaf:
        raise DomainError(
            _("Choose a category of the lowest level."),
            code="invalid",
            status_code=http.HTTP_400_BAD_REQUEST,
            fields={"category": [_("Not a leaf category.")]},
        )
    unit_hint = actor.department and Department.objects.filter(pk=actor.department.root_id).first()
    customer = customer_find_or_create(
        account_no=account_no, phone=phone, name=customer_name, address=address, unit=unit_hint
    )
    complaint = Complaint.objects.create(
        channel=channel,
        customer=customer,
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
    complaint.tracking_no = f"{timezone.localtime(complaint.received_at):%Y%m%d}{complaint.pk:07d}"
    complaint.save(update_fields=["tracking_no"])
    order = workorder_create(complaint=complaint, unit=_intake_unit(actor, customer), actor=actor, now=now)
    if related_to is not None:
        order.related_to = related_to
    workorder_detect_repeat(order)
    order.level = workorder_minimum_level(order)
    order.save()
    if not draft:
        order = perform(order.pk, "submit", actor=actor, version=order.version, now=now)
    order.duplicates = list(workorder_duplicates(order)[:5])
    complaint.workorder = order
    return complaint
