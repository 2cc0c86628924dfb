"""What every row of an order list shows, built in Python (a page of rows renders them a few
hundred times): the status badge, the flag badges and plain-text clipping.

``{% status_badge order %}``, ``{% order_flags order %}`` and ``{{ text|clip:24 }}``. ``order.late_badges``
(``queues.late_badges``, set by the list and detail views) lists the stages overdue now and done
late; an order without it (a page that did not load them) shows the sticky "Overdue" flag instead.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import add_truncation_text
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (field, badge class, label) in the order they are shown.
FLAGS = (
    ("is_repeat", "text-bg-warning", _("Repeat")),
    ("is_escalated", "text-bg-danger", _("Escalated")),
    ("is_supervised", "text-bg-dark", _("Supervised")),
    ("upgrade_tendency", "text-bg-warning", _("Upgrade tendency")),
    ("is_key_customer", "text-bg-info", _("Key customer")),
    ("is_sensitive", "text-bg-info", _("Sensitive")),
    ("needs_supervisor_decision", "text-bg-primary", _("Awaiting supervisor decision")),
)


@register.simple_tag
def status_badge(order) -> SafeString:
    return format_html(
        '<span class="badge status-badge status-{}">{}</span>', order.status, order.get_status_display()
    )


@register.simple_tag
def order_flags(order) -> SafeString:
    late = getattr(order, "late_badges", None)
    if late is None:
        parts = (
            [format_html('<span class="badge text-bg-danger">{}</span> ', _("Overdue"))]
            if order.is_overdue
            else []
        )
    else:
        parts = [
            format_html_join(
                "",
                '<span class="badge {}" title="{}" data-late="{}" data-late-stage="{}">{}</span> ',
                ((b["css"], b["title"], b["kind"], b["stage"], b["label"]) for b in late),
            )
        ]
    parts.extend(
        format_html('<span class="badge {}">{}</span> ', css, label)
        for field, css, label in FLAGS
        if getattr(order, field)
    )
    return mark_safe("".join(parts))  # every part is format_html's escaped output


@register.filter
def clip(value, length: int) -> str:
    """Plain text cut to ``length`` characters, ending in the language's truncation mark when cut:
    Django's ``truncatechars`` for text without markup, at a fraction of its cost (escaped as
    usual)."""
    text = "" if value is None else str(value)
    length = int(length)
    if len(text) <= length:
        return text
    mark = add_truncation_text("")  # "…", or the active language's ("..." in Chinese)
    return add_truncation_text(text[: max(length - len(mark), 0)])
