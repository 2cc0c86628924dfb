"""The work-order list's filters, shared by the API and the pages.

Written for a million orders: a multiple-choice filter adds no DISTINCT (no filter here joins a
to-many relation, so rows cannot repeat, and DISTINCT would make PostgreSQL sort every match
instead of stopping after one page); a category prefix becomes the ids of its categories first (a
join on the code made the planner misjudge the rows by a hundredfold); a phone number becomes the
ids of the complaints and customers that carry it (indexed), not an OR across two joined tables.
"""

import django_filters
from django.db.models import Q

from complaints.models import Category, Channel, Complaint, Customer

from .models import Level, Status, WorkOrder

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

    def filter_category(self, qs, name, value):
        # Category codes start with "0" (01, 0101, 010101); anything else is an id.
        if value.startswith("0"):
            ids = list(Category.objects.filter(code__startswith=value).values_list("pk", flat=True))
            return qs.filter(category_id__in=ids) if ids else qs.none()
        return qs.filter(category_id=int(value)) if value.isdigit() else qs.none()

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        if value.isdigit() and len(value) >= 12:
            return qs.filter(tracking_no=value)
        if value.isdigit() and len(value) == 11:
            complaints = list(Complaint.objects.filter(phone=value).values_list("pk", flat=True))
            by_phone = Customer.objects.filter(Q(phone=value) | Q(alt_phone=value))
            customers = list(by_phone.values_list("pk", flat=True))
            return qs.filter(Q(complaint_id__in=complaints) | Q(customer_id__in=customers))
        if value.isdigit() and len(value) == 10:
            return qs.filter(
                customer_id__in=list(Customer.objects.filter(account_no=value).values_list("pk", flat=True))
            )
        text = Q(content__icontains=value) | Q(customer_name__icontains=value) | Q(address__icontains=value)
        # A rare term: its few complaints first (the trigram indexes), then their orders. A common
        # term (more than TEXT_IDS_FIRST matches): the orders newest first, testing each complaint,
        # which finds a page quickly precisely because matches are common.
        found = list(Complaint.objects.filter(text).values_list("pk", flat=True)[: TEXT_IDS_FIRST + 1])
        if len(found) <= TEXT_IDS_FIRST:
            return qs.filter(complaint_id__in=found) if found else qs.none()
        return qs.filter(complaint__in=Complaint.objects.filter(text))
