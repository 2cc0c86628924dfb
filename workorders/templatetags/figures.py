"""Template filters for figures: ``{{ rate|percent }}`` shows 0.9148 as 91.5% and None as —."""

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
