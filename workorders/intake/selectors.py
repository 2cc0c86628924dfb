"""Intake reads: the customers an agent's typing matches, with the orders the caller may see.

Every customer read starts from ``customers_for(user)`` (``workorders.selectors``): a customer
outside the user's scope is never listed and its page is 404."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from complaints.models import ACCOUNT_RE, Customer, normalize_phone

from ..models import Outcome, Status, WorkOrder
from ..search import PHONE_PART_MIN
from ..selectors import customers_for, workorders_visible_to


def customers_matching(user: User, *, phone: str = "", account_no: str = "") -> QuerySet[Customer]:
    """Customers in the user's scope by account number and/or phone (main or other), for the lookup API."""
    qs = customers_for(user)
    if account_no:
        qs = qs.filter(account_no=account_no)
    if phone:
        qs = qs.filter(Q(phone=phone) | Q(alt_phone=phone))
    return qs.order_by("pk")


def customer_orders(user: User, customers, *, limit: int) -> dict[int, list[WorkOrder]]:
    """customer id → the orders of those customers the user may see, newest first (``limit`` in all)."""
    orders = (
        workorders_visible_to(user)
        .filter(customer__in=customers)
        .select_related("category", "complaint")
        .order_by("-received_at")[:limit]
    )
    by_customer = {}
    for order in orders:
        by_customer.setdefault(order.customer_id, []).append(order)
    return by_customer


def customer_lookup(user: User, phone: str, account_no: str) -> dict | None:
    """The customers matching what the agent typed, with their earlier orders and warnings.

    None until the input could identify someone (7 digits of a phone or a full account number).
    """
    phone, account_no = normalize_phone(phone), (account_no or "").strip()
    if len(phone) < 7 and not ACCOUNT_RE.match(account_no):
        return None
    qs = customers_for(user)
    q = Q(pk__in=[])
    if ACCOUNT_RE.match(account_no):
        q |= Q(account_no=account_no)
    if len(phone) >= 7:
        q |= Q(phone=phone) | Q(alt_phone=phone)
    customers = list(qs.filter(q).select_related("supply_unit").order_by("pk")[:5])
    now = timezone.now()
    window = timedelta(days=settings.REPEAT_WINDOW_DAYS)
    result = []
    for customer in customers:
        orders = list(
            workorders_visible_to(user)
            .filter(customer=customer)
            .select_related("category", "complaint")
            .order_by("-received_at")[:10]
        )
        open_orders = [o for o in orders if o.status != Status.CLOSED]
        recent_closed = [
            o
            for o in orders
            if o.status == Status.CLOSED
            and o.closed_at
            and now - o.closed_at <= window
            and o.outcome != Outcome.MERGED
        ]
        result.append(
            {
                "customer": customer,
                "orders": orders,
                "open_orders": open_orders,
                "recent_closed": recent_closed,
            }
        )
    return {"customers": result, "phone": phone, "account_no": account_no}


def customer_get(user: User, pk) -> Customer | None:
    """One customer for the customer page, if the user's scope holds it."""
    return customers_for(user).select_related("supply_unit").filter(pk=pk).first()


def customer_search(user: User, q: str) -> list[Customer]:
    """The global search's customers in the user's scope: by name, account number or phone (main
    or other; a part of 4 digits or more: the lookup roles see phones unmasked)."""
    phone = normalize_phone(q)
    cq = Q(name__icontains=q) if not q.isdigit() else Q(pk__in=[])
    if ACCOUNT_RE.match(q):
        cq |= Q(account_no=q)
    if phone.isdigit() and len(phone) == 11:
        cq |= Q(phone=phone) | Q(alt_phone=phone)
    elif phone.isdigit() and len(phone) >= PHONE_PART_MIN:
        cq |= Q(phone__contains=phone) | Q(alt_phone__contains=phone)
    return list(customers_for(user).filter(cq).order_by("pk")[:20])
