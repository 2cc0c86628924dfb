"""API plumbing shared by every app: the JSON error shape of every refusal.

``DomainError`` lives in ``config.errors`` (re-exported here); ``exception_handler`` is DRF's
``EXCEPTION_HANDLER`` and answers it with the status ``config.errors.http_status`` gives its code.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .errors import DomainError, first_message, http_status, plain_fields

__all__ = ["DomainError", "exception_handler"]
logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every API error is JSON ``{"detail": ..., "code": ...}`` (plus field errors for 400)."""
    if isinstance(exc, (OverflowError, DataError)):
        # A number or text the database cannot hold (an id beyond 64 bits, say) that a serializer
        # let through: the client's input, not a server fault. The request's transaction is undone.
        set_rollback()
        logger.warning("API input out of the database's range: %s", exc)
        return Response(
            {"detail": _("A value in the request is out of range."), "code": "invalid"}, status=400
        )
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code, **plain_fields(exc.fields)}
        return Response(body, status=http_status(exc.code))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": first_message(fields), "code": "invalid", **fields}
    elif isinstance(data, dict) and "detail" in data:
        code = getattr(data["detail"], "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(data["detail"]), "code": code}
    return response
