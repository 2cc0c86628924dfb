"""The order list's filters in words: what the list's chips and the export page show.

A filter is kept by its query name (``WorkOrderFilter``'s); each active value becomes a chip with
the filter's label, the value's label (a status's name, a department's, a category's code and
name, never a code alone) and the query string without that value (the chip's remove link).
"""

from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from complaints.models import Category, Channel

from .filters import WorkOrderFilter
from .models import Level, Status

FILTER_LABELS = {
    "status": _("Status"),
    "level": _("Level"),
    "channel": _("Channel"),
    "category": _("Category"),
    "department": _("Department"),
    "unit": _("Unit"),
    "assignee": _("Handler"),
    "overdue": _("Overdue"),
    "escalated": _("Escalated"),
    "repeat": _("Repeat complaint"),
    "customer": _("Customer"),
    "received_from": _("Received from"),
    "received_to": _("Received before"),
    "date_from": _("From"),
    "date_to": _("To"),
    "search": _("Search"),
}
CHOICES = {"status": Status, "level": Level, "channel": Channel}
BOOLEANS = {"overdue", "escalated", "repeat"}
FILTER_NAMES = tuple(WorkOrderFilter.base_filters)


def _value_label(name: str, value: str, refs: dict) -> str:
    if name in CHOICES:
        choices = CHOICES[name]
        return str(choices(value).label) if value in choices.values else value
    if name in BOOLEANS:
        truth = value.lower()
        if truth in ("true", "1", "yes"):
            return str(_("Yes"))
        if truth in ("false", "0", "no"):
            return str(_("No"))
        return value
    if name == "category":
        category = refs["category"].get(value)
        return f"{category.code} {category.display_name}" if category else value
    if name in ("department", "unit"):
        department = refs["department"].get(value)
        return department.name if department else value
    if name == "assignee":
        user = refs["user"].get(value)
        return str(user) if user else value
    return value


def _refs(pairs: list[tuple[str, str]]) -> dict:
    """The departments, categories and handlers named by the filters: one small query each."""
    wanted = {"department": set(), "category_ids": set(), "category_codes": set(), "user": set()}
    for name, value in pairs:
        if name in ("department", "unit") and value.isdigit():
            wanted["department"].add(int(value))
        elif name == "category":
            wanted["category_codes" if value.startswith("0") else "category_ids"].add(value)
        elif name == "assignee" and value.isdigit():
            wanted["user"].add(int(value))
    refs = {"department": {}, "category": {}, "user": {}}
    if wanted["department"]:
        for d in Department.objects.filter(pk__in=wanted["department"]):
            refs["department"][str(d.pk)] = d
    ids = [int(v) for v in wanted["category_ids"] if v.isdigit()]
    if ids or wanted["category_codes"]:
        named = Category.objects.filter(Q(pk__in=ids) | Q(code__in=wanted["category_codes"]))
        for c in named:
            refs["category"][str(c.pk)] = c
            refs["category"][c.code] = c
    if wanted["user"]:
        for u in User.objects.filter(pk__in=wanted["user"]):
            refs["user"][str(u.pk)] = u
    return refs


def filter_pairs(data) -> list[tuple[str, str]]:
    """(name, value) of each active list filter in ``data`` (a QueryDict or a dict of the export's
    kept filters, values a string or a list), in the filter set's order."""
    pairs = []
    for name in FILTER_NAMES:
        if hasattr(data, "getlist"):
            values = data.getlist(name)
        else:
            values = data.get(name, [])
            values = values if isinstance(values, (list, tuple)) else [values]
        pairs.extend((name, str(v).strip()) for v in values if str(v).strip() != "")
    return pairs


def filter_chips(data, *, base: QueryDict | None = None) -> list[dict]:
    """The active filters of ``data`` as chips: ``label``, ``value``, ``name``, ``raw`` and
    ``remove_query`` (``base``, else ``data``, without that one value; no page cursor)."""
    pairs = filter_pairs(data)
    refs = _refs(pairs)
    chips = []
    for name, value in pairs:
        chip = {
            "name": name,
            "raw": value,
            "label": str(FILTER_LABELS.get(name, name)),
            "value": _value_label(name, value, refs),
        }
        if base is not None:
            rest = base.copy()
            rest.pop("after", None)
            rest.setlist(name, [v for v in rest.getlist(name) if v.strip() != value])
            chip["remove_query"] = rest.urlencode()
        chips.append(chip)
    return chips
