"""Filling a template's placeholders: a fixed list of names, plain substitution.

No template language and no attribute or index access (``{customer.phone}`` or ``{0}`` are not
placeholders): a name in braces from ``PLACEHOLDERS`` is replaced by its value; any other text in
braces, and a known name without a value for this order, stays exactly as typed so the person
sending it sees what is left to fill in.
"""

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# name → what it stands for (shown to the people who write templates).
PLACEHOLDERS = {
    "customer_name": _("the complainant's name"),
    "tracking_no": _("the order's tracking number"),
    "received_date": _("the date the complaint was received"),
    "reply_due_date": _("the date the reply is due"),
    "category": _("the order's category"),
    "department": _("the handling department"),
    "today": _("today's date"),
}

PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
DATE_FORMAT = "%Y-%m-%d"


def fill_placeholders(text: str, values: dict) -> str:
    """``text`` with each ``{name}`` of ``PLACEHOLDERS`` that has a non-empty value replaced."""

    def replace(match):
        name = match.group(1)
        value = values.get(name) if name in PLACEHOLDERS else None
        return str(value) if value not in (None, "") else match.group(0)

    return PLACEHOLDER_RE.sub(replace, text or "")


def _date(value):
    return timezone.localtime(value).strftime(DATE_FORMAT) if value else ""


def order_values(order) -> dict:
    """The placeholder values of one work order (its complaint, category, department, deadlines).

    ``reply_due_date`` is the due date of the order's latest reply deadline (or the extension it
    was granted); the deadlines are read through ``order.deadlines.all()`` so a prefetch is used.
    """
    complaint = getattr(order, "complaint", None)
    reply_rows = [row for row in order.deadlines.all() if row.stage == "reply" and row.cancelled_at is None]
    reply_due = max(reply_rows, key=lambda row: (row.cycle, row.due_at)).due_at if reply_rows else None
    return {
        "customer_name": (complaint.customer_name if complaint else "") or "",
        "tracking_no": order.tracking_no or "",
        "received_date": _date(order.received_at),
        "reply_due_date": _date(reply_due or order.extended_until),
        "category": order.category.display_name if order.category_id else "",
        "department": str(order.department) if order.department_id else "",
        "today": timezone.localdate().strftime(DATE_FORMAT),
    }
