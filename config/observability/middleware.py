"""One middleware per request: its id, its log context and its latency."""

import logging
import re
import time
import uuid

from django.conf import settings

from . import context
from .metrics import REQUEST_LATENCY

access_logger = logging.getLogger("config.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept when it is a plain token (a proxy's $request_id, a UUID, a trace id);
# anything else (too short, too long, spaces, quotes, newlines) is replaced by a new one.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# The routes whose ``pk`` is a work order's (workorders/urls.py, workorders/api_urls.py, the
# intake page's urge button); every ``api-workorder-<action>`` route is one too.
ORDER_ROUTES = frozenset(
    {"workorders:detail", "workorders:act", "complaints:urge", "api-workorder", "api-workorder-events"}
)
ORDER_ROUTE_PREFIX = "api-workorder-"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_id_from(request) -> str:
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    return incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def order_id_from(match) -> int | None:
    if match is None or "pk" not in match.kwargs:
        return None
    name = match.view_name or ""
    if name in ORDER_ROUTES or name.startswith(ORDER_ROUTE_PREFIX):
        return match.kwargs["pk"]
    return None


def view_label(request) -> str:
    """The URL name (``workorders:detail``), else the route pattern; ``<unresolved>`` for a request
    that never reached a view (404, a redirect by CommonMiddleware, a lockout)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match.route or "<unnamed>"


class ObservabilityMiddleware:
    """Assigns the request id (an incoming sane ``X-Request-ID`` is kept) and returns it in the
    ``X-Request-ID`` header; binds request id, user and, on the order routes, order id for the log
    lines written meanwhile; observes the latency histogram per view, method and status class; and,
    with ``LOG_REQUESTS`` (on with JSON logs), writes one access line per request.

    It sits early in ``MIDDLEWARE`` (after WhiteNoise: static files are neither timed nor logged).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request_id_from(request)
        request.request_id = request_id
        token = context.bind(request_id=request_id, request=request)
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            view = view_label(request)
            method = request.method if request.method in _METHODS else "other"
            REQUEST_LATENCY.labels(view, method, f"{response.status_code // 100}xx").observe(elapsed)
            if getattr(settings, "LOG_REQUESTS", False):
                access_logger.info(
                    "%s %s %s %.1f ms",
                    request.method,
                    request.path,  # not the query string: searches carry phone numbers
                    response.status_code,
                    elapsed * 1000,
                    extra={
                        "view": view,
                        "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )
            return response
        finally:
            context.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        order_id = order_id_from(getattr(request, "resolver_match", None))
        if order_id is not None:
            context.update(order_id=order_id)
        return None
