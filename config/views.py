"""Project-level views: the health check and the JSON error pages."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from workorders.deadlines.calendar import calendar_status

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any driver error means "unreachable" to the probe
        logger.warning("health check: database unreachable: %s", exc)
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}


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
    """200 while the database answers; 503 when it does not.

    A broker outage alone answers 200 with ``status: degraded``: intake and transitions keep
    working without it (the outbox delivers later), so a load balancer must not take web out.
    """
    database = _check_database()
    broker = _check_broker()
    if not database["ok"]:
        state, code = "down", 503
    elif not broker["ok"]:
        state, code = "degraded", 200
    else:
        state, code = "ok", 200
    body = {"status": state, "database": database, "broker": broker}
    if database["ok"]:
        body["calendar"] = _check_calendar()
    return JsonResponse(body, status=code)
