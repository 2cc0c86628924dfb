"""The request or Celery task that the current log line belongs to.

A middleware (``middleware.ObservabilityMiddleware``) binds the request id, the request and, on
the order routes, the order id; the Celery signals (``celery_signals``) bind the task id and name.
``current()`` answers the fields for a log record: request id, user id, order id, task id, task name.
"""

import contextvars
from contextlib import contextmanager

from django.utils.functional import SimpleLazyObject, empty

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "observability_log_context", default=None
)


def bind(**fields) -> contextvars.Token:
    """Add fields to the current context (a new dict: an outer context is left as it was)."""
    return _context.set({**(_context.get() or {}), **fields})


def update(**fields) -> None:
    """Set fields on the context bound by the innermost ``bind`` (no-op outside one)."""
    ctx = _context.get()
    if ctx is not None:
        ctx.update(fields)


def reset(token: contextvars.Token) -> None:
    _context.reset(token)


@contextmanager
def bound(**fields):
    token = bind(**fields)
    try:
        yield
    finally:
        reset(token)


def user_id_of(request) -> int | None:
    """The id of the request's user if it is already known, without a query.

    ``AuthenticationMiddleware`` sets a lazy ``request.user`` that loads the session and the user on
    first use; DRF replaces it with the user its authentication found. A log line must not load it
    (a line written from inside the database layer would recurse), so an unevaluated user is None.
    """
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return None
    if not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def current() -> dict:
    """The context fields of a log line written now (None where unknown)."""
    ctx = _context.get()
    if not ctx:
        return {}
    out = {k: v for k, v in ctx.items() if k != "request" and v is not None}
    request = ctx.get("request")
    if request is not None:
        user_id = user_id_of(request)
        if user_id is not None:
            out["user_id"] = user_id
    return out
