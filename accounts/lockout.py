"""Login lockout (django-axes) with two limits: per username and address, and per address.

``LOGIN_FAILURE_LIMIT`` failures (default 5) for one username from one address lock that username
there; ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures (default 20) from one address, whatever the
usernames, lock the address (password spraying). Both for ``AXES_COOLOFF_TIME``. Settings::

    AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
    AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
    AXES_HANDLER = "accounts.lockout.LockoutHandler"

axes counts the failures of each group of ``AXES_LOCKOUT_PARAMETERS`` and compares the largest
count (the address's, which includes the username's) with one limit, which may be a callable of the
request: ``failure_limit`` answers the per-username limit once that username has reached it from
this address, else the per-address limit. ``LockoutHandler`` keeps a successful login
(``AXES_RESET_ON_SUCCESS``) from wiping the address's count: it forgets only that username's
failures from that address, so an attacker with one valid account cannot reset the count between
guesses at the others.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

DEFAULT_PER_USERNAME = 5
DEFAULT_PER_ADDRESS = 20


def limits() -> tuple[int, int]:
    """(per username and address, per address)."""
    return (
        int(getattr(settings, "LOGIN_FAILURE_LIMIT", DEFAULT_PER_USERNAME)),
        int(getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", DEFAULT_PER_ADDRESS)),
    )


def _address(request: HttpRequest) -> str | None:
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


def username_failures(request: HttpRequest, credentials: dict | None) -> int:
    """Recent failures (within the cool-off time) of this username from this address."""
    attempts = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=_address(request)
    )
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """``AXES_FAILURE_LIMIT``: the limit the request's largest failure count is held to."""
    per_username, per_address = limits()
    if per_address <= per_username:
        return per_address  # the address's count reaches it first (it includes the username's)
    if username_failures(request, credentials) >= per_username:
        return per_username
    return per_address


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler; a successful login resets only that username's failures from that
    address."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        count, _by_model = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=_address(request)
        ).delete()
        return count
