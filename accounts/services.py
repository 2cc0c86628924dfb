"""Writes on the organisation that are more than one model save: filling the duty roster; issuing
and revoking API tokens."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from rest_framework.authtoken.models import Token

from .authentication import token_expired
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


# --- API tokens (accounts.authentication: they expire after API_TOKEN_TTL_HOURS) -------------------


def api_token_for(*, user: User) -> Token:
    """The user's API token: the current one while it is valid, else a new one (an expired token
    is replaced, never handed out again)."""
    token = Token.objects.filter(user=user).first()
    if token is not None:
        if not token_expired(token):
            return token
        Token.objects.filter(pk=token.pk).delete()
    token, _created = Token.objects.get_or_create(user=user)  # a concurrent login may have made it
    return token


def api_tokens_revoke(*, user: User) -> int:
    """Delete the user's API tokens (logout, password change); returns how many."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted
