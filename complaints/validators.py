"""What a complaint must hold, asked by every writer: the API input, the intake page's form, the
intake service and the ``submit`` action. Each rule is written here once.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import Role

from .models import Channel

CONTACT_PHONE_REQUIRED = _("A contact phone is required unless the complaint is anonymous.")
LEAF_CATEGORY_REQUIRED = _("Choose a category of the lowest level (e.g. 040101 低电压).")


def contact_phone_missing(*, is_anonymous: bool, phone: str) -> bool:
    """A complaint needs a phone to call the customer back, unless the customer stays anonymous."""
    return not is_anonymous and not phone


def validate_leaf_category(category) -> None:
    """Orders are filed under a leaf of the category tree (domain.md §6); no category passes."""
    if category is not None and not category.is_leaf:
        raise ValidationError(LEAF_CATEGORY_REQUIRED, code="invalid")


# --- when the complaint was received --------------------------------------------------------------

# Channels whose complaints reach us days after the customer made them: a letter by post, a
# transfer from the 12398 regulator or the 12345 government hotline.
LATE_CHANNELS = frozenset({Channel.LETTER, Channel.REGULATOR_12398, Channel.GOV_12345})


def intake_clock_skew() -> timedelta:
    """How far ahead of the server clock a ``received_at`` may be (another device's clock)."""
    return timedelta(minutes=getattr(settings, "INTAKE_CLOCK_SKEW_MINUTES", 5))


def intake_backdate_days() -> int:
    """How many days back anyone may date a complaint (older: a supervisor, for a late channel)."""
    return getattr(settings, "INTAKE_BACKDATE_DAYS", 7)


def may_backdate(user, channel: str) -> bool:
    """A supervisor (or an administrator) may date back a complaint that arrives late by nature."""
    return channel in LATE_CHANNELS and user is not None and user.has_role(Role.SUPERVISOR, Role.ADMIN)


def validate_received_at(received_at, *, channel: str, user, now=None) -> None:
    """Refuse (``ValidationError``, code ``invalid``) a time of receipt the intake may not record:
    in the future beyond ``INTAKE_CLOCK_SKEW_MINUTES``, or more than ``INTAKE_BACKDATE_DAYS`` ago
    unless ``may_backdate``. No time given (now) passes. The API input and the intake form ask it."""
    if received_at is None:
        return
    now = now or timezone.now()
    skew = intake_clock_skew()
    if received_at > now + skew:
        minutes = int(skew.total_seconds() // 60)
        raise ValidationError(
            ngettext(
                "The time received is in the future (more than %(minutes)d minute ahead of now).",
                "The time received is in the future (more than %(minutes)d minutes ahead of now).",
                minutes,
            )
            % {"minutes": minutes},
            code="invalid",
        )
    days = intake_backdate_days()
    if received_at < now - timedelta(days=days) and not may_backdate(user, channel):
        raise ValidationError(
            ngettext(
                "The time received is more than %(days)d day ago. Only a supervisor may enter an older "
                "letter or 12398/12345 transfer.",
                "The time received is more than %(days)d days ago. Only a supervisor may enter an older "
                "letter or 12398/12345 transfer.",
                days,
            )
            % {"days": days},
            code="invalid",
        )
