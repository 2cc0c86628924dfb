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
either, contacts count as masked. The search itself (parts of phones, near phrases) is
``workorders.search``.
"""

import django_filters

from complaints.models import Category, Channel

from .models import Level, Status, WorkOrder
from .search import workorder_search


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
