"""Writes on customers. Recording a complaint also opens its work order, so the intake service
(``complaint_register``) lives with the work orders, in their ``intake`` package.
"""

from accounts.models import Department

from .models import Customer


def customer_find_or_create(
    *, account_no: str, phone: str, name: str, address: str, unit: Department
) -> Customer:
    """By account number (户号) when given, else by phone; fills blanks, never overwrites."""
    customer = None
    # The supply unit comes along (intake reads it next); only the customer row is locked.
    customers = Customer.objects.select_for_update(of=("self",)).select_related("supply_unit")
    if account_no:
        customer = customers.filter(account_no=account_no).first()
    if customer is None and phone:
        by_phone = customers.filter(phone=phone)
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
