"""Project-level views: the health check and the JSON error pages."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from workorders.deadlines.calendar import calendar_status

from .cache import cache_healthy
from .celery import app as celery_app
from .middleware import too_large

logger = logging.getLogger(__name__)


def _check_database():
    """Reachable and writable: a replica or a read-only primary fails every write path."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
                in_recovery, read_only = cursor.fetchone()
                writable = not in_recovery and read_only == "off"
            else:
                cursor.execute("SELECT 1")
                cursor.fetchone()
                writable = True
        result = {"ok": writable, "vendor": connection.vendor}
        if not writable:
            result["error"] = "read_only"
        return result
    except Exception as exc:  # any driver error means "unreachable" to the probe
        logger.warning("health check: database unreachable: %s", exc)
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}


def _check_cache():
    """The cache is an optimisation (config/cache.py): down, the system is degraded, not down."""
    return {"ok": cache_healthy()}


def _check_broker():
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
        return {"ok": True, "transport": str(transport)}
    except Exception as exc:
        logger.warning("health check: broker unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}


def _check_calendar():
    """Work-calendar coverage (informational: it never changes the status code)."""
    try:
        return calendar_status()
    except Exception as exc:
        logger.warning("health check: calendar status failed: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}


@never_cache
def healthz(request):
    """503 when a write path would fail, 200 otherwise.

    Intake and transitions need the database, reachable and writable (a replica or a read-only
    primary answers 503). The broker and the cache are not on the write path: the outbox delivers
    later and every cache read falls back to the database, so either being down answers 200 with
    ``status: degraded``, and a load balancer keeps web in service.
    """
    database = _check_database()
    broker = _check_broker()
    cache = _check_cache()
    body = {"status": "ok", "database": database, "broker": broker, "cache": cache}
    code = 200
    if database["ok"]:
        body["calendar"] = _check_calendar()  # informational: a missing year falls back
    else:
        body["status"], code = "down", 503
    if code == 200 and not (broker["ok"] and cache["ok"]):
        body["status"] = "degraded"
    return JsonResponse(body, status=code)


# --- Error answers: JSON ``{"detail", "code"}`` under /api/, the HTML pages elsewhere -----------------


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request."), "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        detail = _("You do not have permission to perform this action.")
        return JsonResponse({"detail": detail, "code": "permission_denied"}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        detail = _("Internal server error; the error was logged. Please try again later.")
        return JsonResponse({"detail": detail, "code": "server_error"}, status=500)
    return defaults.server_error(request)
