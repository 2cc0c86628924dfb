"""Template context: the work-calendar warning administrators see on their home page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .calendar import calendar_status


def _warnings(user):
    status = calendar_status()
    messages = []
    for year in status["missing_years"]:
        messages.append(
            _(
                "The work calendar has no holidays for %(year)s yet: add the State Council's "
                "schedule under Work-calendar years and days. Deadlines in %(year)s are computed "
                "on plain weekdays meanwhile."
            )
            % {"year": year}
        )
    if status["provisional_open_deadlines"]:
        messages.append(
            _(
                "%(n)d open deadlines were computed on plain weekdays (provisional) because the "
                "work calendar lacked a year."
            )
            % {"n": status["provisional_open_deadlines"]}
        )
    return messages


def calendar_warnings(request: HttpRequest) -> dict:
    """``calendar_warnings``: evaluated only where a template uses it, and only for administrators."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_superuser or user.has_role("admin")):
        return {"calendar_warnings": []}
    return {"calendar_warnings": SimpleLazyObject(lambda: _warnings(user))}
