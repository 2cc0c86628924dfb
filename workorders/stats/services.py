"""Writes of the statistics area: a user's subscriptions to the e-mailed reports."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import DomainError

from ..models import Report, ReportSubscription


@transaction.atomic
def report_subscription_set(*, user: User, kind: str, active: bool) -> ReportSubscription:
    """Subscribe ``user`` to the e-mailed reports of ``kind`` (``active``) or unsubscribe them."""
    if kind not in Report.Kind.values:
        message = _("Unknown report kind.")
        raise DomainError(message, code="invalid", fields={"kind": [message]})
    subscription, _created = ReportSubscription.objects.update_or_create(
        user=user, kind=kind, defaults={"is_active": active}
    )
    return subscription
