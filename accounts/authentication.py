"""API tokens that expire: DRF's token authentication with a lifetime.

A token is valid for ``API_TOKEN_TTL_HOURS`` (default 12, one long shift) from when it was issued
(``POST /api/v1/auth/token/``). A request with an older token is refused with 401 and code
``token_expired``, and the token is deleted, so the client logs in again. Tokens are also revoked
when their user logs out (page or ``POST /api/v1/auth/logout/``) and when the password changes
(``accounts.services.api_tokens_revoke``).

Settings: ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`` names
``accounts.authentication.ExpiringTokenAuthentication`` in place of DRF's ``TokenAuthentication``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

if TYPE_CHECKING:  # the models load with the app registry; settings import this module earlier
    from rest_framework.authtoken.models import Token

DEFAULT_TTL_HOURS = 12


def token_ttl() -> timedelta:
    return timedelta(hours=float(getattr(settings, "API_TOKEN_TTL_HOURS", DEFAULT_TTL_HOURS)))


def token_expires_at(token: Token) -> datetime:
    return token.created + token_ttl()


def token_expired(token: Token, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("The API token has expired; obtain a new one.")
    default_code = "token_expired"


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused (401, ``token_expired``) and deleted once older than
    ``API_TOKEN_TTL_HOURS``."""

    def authenticate_credentials(self, key):
        # DRF's lookup, with the user's department in the same query: every request's scope reads it.
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__department").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user = token.user
        if token_expired(token):
            self.get_model().objects.filter(pk=token.pk).delete()
            raise TokenExpired()
        return user, token
