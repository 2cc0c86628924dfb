"""Writes on the organisation that are more than one model save: filling the duty roster."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction

from .models import Department, DutyAssignment, User


@transaction.atomic
def duty_fill(
    *, department: Department, people: Iterable[User], first_day: date, days: int = 7, replace: bool = False
) -> int:
    """Put ``people`` on duty for ``department`` on each of ``days`` days from ``first_day``; with
    ``replace``, whoever was on the roster for those days is taken off first. Returns the rows saved
    (a person already on duty that day is kept, not doubled)."""
    dates = [first_day + timedelta(days=n) for n in range(days)]
    if replace:
        DutyAssignment.objects.filter(department=department, date__in=dates).delete()
    rows = [DutyAssignment(department=department, date=day, user=user) for day in dates for user in people]
    DutyAssignment.objects.bulk_create(rows, ignore_conflicts=True)
    return DutyAssignment.objects.filter(department=department, date__in=dates, user__in=list(people)).count()
