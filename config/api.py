"""API plumbing shared by every app: the JSON error shape and the domain-error mapping."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """A business rule refused the request. Raised by services, mapped to JSON by the API.

    ``code`` is a stable machine-readable string; ``message`` is already in the user's language.
    """

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"

    def __init__(self, message, *, code=None, status_code=None, fields=None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.fields = fields or {}


def exception_handler(exc, context):
    """Every API error is JSON ``{"detail": ..., "code": ...}`` (plus field errors for 400)."""
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code}
        body.update({k: [str(m) for m in v] for k, v in exc.fields.items()})
        return Response(body, status=exc.status_code)
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
        response.data = {"detail": _first_message(fields), "code": "invalid", **fields}
    elif isinstance(data, dict) and "detail" in data:
        code = getattr(data["detail"], "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(data["detail"]), "code": code}
    return response


def _first_message(errors):
    for value in errors.values() if isinstance(errors, dict) else [errors]:
        if isinstance(value, (list, tuple)) and value:
            first = value[0]
            return _first_message(first) if isinstance(first, dict) else str(first)
        if isinstance(value, dict):
            return _first_message(value)
        return str(value)
    return "Invalid input."
