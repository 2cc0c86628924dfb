"""The one domain error, and the one table that says which HTTP status each of its codes means.

A service, the lifecycle or a read refuses a request by raising ``DomainError(message, code,
fields)``; it knows nothing of HTTP. ``http_status(code)`` turns the code into a status
(``HTTP_STATUS_BY_CODE``, 409 for every code not listed) for the two places that answer clients: the
DRF exception handler (``config.api.exception_handler``, JSON) and the pages (``page_refusal``).
This module imports only Django, so every app can import it without a cycle.
"""

from django.http import Http404
from django.utils.translation import gettext as _

# Every code not listed is a conflict with the order's (or the system's) state: 409.
HTTP_STATUS_BY_CODE: dict[str, int] = {
    "invalid": 400,
    "department_out_of_scope": 400,
    "no_company": 400,
    "permission_denied": 403,
    "not_your_department": 403,
    "not_found": 404,
    "unknown_action": 404,
    "idempotency_key_reused": 422,
}
DEFAULT_STATUS = 409


def http_status(code: str) -> int:
    """The HTTP status a refusal with this ``code`` answers."""
    return HTTP_STATUS_BY_CODE.get(code, DEFAULT_STATUS)


def first_message(errors) -> str:
    """The first message of a (possibly nested) field-error structure."""
    for value in errors.values() if isinstance(errors, dict) else [errors]:
        if isinstance(value, (list, tuple)) and value:
            first = value[0]
            return first_message(first) if isinstance(first, dict) else str(first)
        if isinstance(value, dict):
            return first_message(value)
        return str(value)
    return "Invalid input."


class DomainError(Exception):
    """A business rule refused the request.

    ``code`` is a stable machine-readable string (its HTTP status comes from
    ``HTTP_STATUS_BY_CODE``); ``message`` is already in the user's language; ``fields`` maps field
    names to lists of messages. ``DomainError.invalid(fields)`` is input that failed validation:
    its message is the first field message and ``fields_only`` is set, so a form may summarise the
    field errors its own way.
    """

    def __init__(self, message, code: str = "conflict", fields: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.fields = fields or {}
        self.fields_only = False

    @classmethod
    def invalid(cls, fields: dict) -> "DomainError":
        """Input that failed validation (a serializer's ``errors``)."""
        error = cls(first_message(fields), code="invalid", fields=fields)
        error.fields_only = True
        return error

    @property
    def http_status(self) -> int:
        return http_status(self.code)


def plain_fields(fields: dict) -> dict:
    """Field errors as plain strings (lists of messages; nested structures kept)."""

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return str(value)

    return {k: plain(v) for k, v in fields.items()}


def page_message(exc: DomainError) -> tuple[str, dict]:
    """What a page shows for a refusal: (message, field errors as lists of strings)."""
    message = _("Please correct the marked fields.") if exc.fields_only else exc.message
    fields = {
        k: [str(m) for m in (v if isinstance(v, (list, tuple)) else [v])] for k, v in exc.fields.items()
    }
    return str(message), fields


def page_refusal(exc: DomainError) -> tuple[str, dict]:
    """The page side of ``http_status``: a 404 code raises ``Http404``; any other refusal is shown
    on the page (``page_message``), which answers with its own status, the form again."""
    if exc.http_status == 404:
        raise Http404(str(exc.message))
    return page_message(exc)
