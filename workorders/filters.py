import django_filters
from django.db.models import Q

from complaints.models import Channel

from .models import Level, Status, WorkOrder


class WorkOrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    level = django_filters.MultipleChoiceFilter(choices=Level.choices)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
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
            return qs.filter(category__code__startswith=value)
        return qs.filter(category_id=int(value)) if value.isdigit() else qs.none()

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        if value.isdigit() and len(value) >= 12:
            return qs.filter(tracking_no=value)
        if value.isdigit() and len(value) == 11:
            return qs.filter(
                Q(complaint__phone=value) | Q(customer__phone=value) | Q(customer__alt_phone=value)
            )
        if value.isdigit() and len(value) == 10:
            return qs.filter(customer__account_no=value)
        return qs.filter(
            Q(complaint__content__icontains=value)
            | Q(complaint__customer_name__icontains=value)
            | Q(complaint__address__icontains=value)
        )
