"""The work-order list's filters, shared by the API and the pages.

Written for a million orders: a multiple-choice filter adds no DISTINCT (no filter here joins a
to-many relation, so rows cannot repeat, and DISTINCT would make PostgreSQL sort every match
instead of stopping after one page); a category prefix becomes the ids of its categories first (a
join on the code made the planner misjudge the rows by a hundredfold); a phone number becomes the
ids of the complaints and customers that carry it (indexed), not an OR across two joined tables.

A search never matches a masked part of the customer's contact (issue 13): for a user who sees the
phone and address masked on some orders (``selectors.contact_visible_filter``), a phone matches only
in full and the address only on the orders where it is shown. Everyone else keeps the queries above.
The filter set takes the user from ``request`` (the API) or ``user`` (pages, exports); without
either, contacts count as masked.
"""

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q

from complaints.models import Category, Channel, Complaint, Customer

from .models import Level, Status, WorkOrder
from .selectors import CONTACT_SHOWN_NOWHERE, contact_visible_filter

# A text search first collects the matching complaints' ids when there are at most this many.
TEXT_IDS_FIRST = 2000


class WorkOrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    level = django_filters.MultipleChoiceFilter(choices=Level.choices, distinct=False)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False)
    category = django_filters.CharFilter(method="filter_category", label="category id or code prefix")
    department = django_filters.NumberFilter(field_name="department_id")
    unit = django_filters.NumberFilter(field_name="unit_id")
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    overdue = django_filters.BooleanFilter(field_name="is_overdue")
    escalated = django_filters.BooleanFilter(field_name="is_escalated")
    repeat = django_filters.BooleanFilter(field_name="is_repeat")
    customer = django_filters.NumberFilter(field_name="customer_id")
    received_from = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_to = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    date_from = django_filters.DateFilter(field_name="received_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="received_at", lookup_expr="date__lte")
    search = django_filters.CharFilter(method="filter_search", label="tracking no, phone, account no or text")

    class Meta:
        model = WorkOrder
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)

    def filter_category(self, qs, name, value):
        # Category codes start with "0" (01, 0101, 010101); anything else is an id.
        if value.startswith("0"):
            ids = list(Category.objects.filter(code__startswith=value).values_list("pk", flat=True))
            return qs.filter(category_id__in=ids) if ids else qs.none()
        return qs.filter(category_id=int(value)) if value.isdigit() else qs.none()

    def filter_search(self, qs, name, value):
        return workorder_search(qs, value, user=self.user)


def _complaints_matching(text: Q) -> Q | None:
    """The orders whose complaint matches ``text``; None when no complaint does. A rare term: its
    few complaints first (the trigram indexes), then their orders by id. A common term (more than
    TEXT_IDS_FIRST matches): the orders newest first, testing each complaint, which finds a page
    quickly precisely because matches are common."""
    found = list(Complaint.objects.filter(text).values_list("pk", flat=True)[: TEXT_IDS_FIRST + 1])
    if not found:
        return None
    if len(found) <= TEXT_IDS_FIRST:
        return Q(complaint_id__in=found)
    return Q(complaint__in=Complaint.objects.filter(text))


def workorder_search(qs, value: str, *, user):
    """The orders of ``qs`` matching a tracking number, a full phone number, an account number or
    a text (content, complainant, address), as ``user`` may search them (see the module docstring)."""
    value = value.strip()
    if not value:
        return qs
    if value.isdigit() and len(value) >= 12:
        return qs.filter(tracking_no=value)
    if value.isdigit() and len(value) == 11:  # a full mobile number: exact, never a part of one
        complaints = list(Complaint.objects.filter(phone=value).values_list("pk", flat=True))
        by_phone = Customer.objects.filter(Q(phone=value) | Q(alt_phone=value))
        customers = list(by_phone.values_list("pk", flat=True))
        return qs.filter(Q(complaint_id__in=complaints) | Q(customer_id__in=customers))
    if value.isdigit() and len(value) == 10:
        return qs.filter(
            customer_id__in=list(Customer.objects.filter(account_no=value).values_list("pk", flat=True))
        )
    text = Q(content__icontains=value) | Q(customer_name__icontains=value)
    address = Q(address__icontains=value)
    shown = contact_visible_filter(user)
    if shown is None:  # the address is shown on every order: one match over the three columns
        matches = [_complaints_matching(text | address)]
    else:
        matches = [_complaints_matching(text)]
        if shown != CONTACT_SHOWN_NOWHERE:  # the address only on the orders where it is shown
            by_address = _complaints_matching(address)
            matches.append(by_address & shown if by_address is not None else None)
    matches = [q for q in matches if q is not None]
    return qs.filter(reduce(or_, matches)) if matches else qs.none()
