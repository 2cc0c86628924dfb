"""Log lines as one JSON object each (production), with the request or task they belong to.

``config/settings.py`` picks the formatter: ``LOG_FORMAT`` is ``json`` by default when DEBUG is off
and ``text`` (the readable ``plain`` format) when it is on; either can be forced. Every handler of
the ``LOGGING`` setting carries ``ContextFilter``, which stamps ``request_id``, ``user_id``,
``order_id``, ``task_id`` and ``task_name`` on the record when it is written, so a handler that
formats later (a queue, pytest's caplog) still sees the right values.
"""

import json
import logging
import logging.config
from datetime import UTC, datetime

from . import context

CONTEXT_FIELDS = ("request_id", "user_id", "order_id", "task_id", "task_name")

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_SKIPPED_EXTRAS = frozenset(CONTEXT_FIELDS) | {"request", "_context_stamped"}


def json_logs_enabled() -> bool:
    """True when this process writes JSON log lines (``settings.LOG_FORMAT``)."""
    from django.conf import settings  # noqa: PLC0415 - read when asked (gunicorn's master, Celery)

    try:
        return getattr(settings, "LOG_FORMAT", "text") == "json"
    except Exception:  # settings that do not load: the process will report that itself
        return False


def configure(logging_settings: dict) -> None:
    """``LOGGING_CONFIG``: Django's dictConfig; in JSON mode Python's warnings become log records
    (``py.warnings``) instead of raw text on stderr, so that every line stays one JSON object."""
    logging.config.dictConfig(logging_settings)
    if json_logs_enabled():
        logging.captureWarnings(True)


class ContextFilter(logging.Filter):
    """Stamps the current request / task context on each record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_context_stamped", False):
            for key, value in context.current().items():
                if getattr(record, key, None) is None:
                    setattr(record, key, value)
            record._context_stamped = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context fields
    that are known, the exception and stack when there is one, and any ``extra=`` values."""

    def format(self, record: logging.LogRecord) -> str:
        ctx = {} if getattr(record, "_context_stamped", False) else context.current()
        out = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is None:
                value = ctx.get(key)
            if value is not None:
                out[key] = value
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in _SKIPPED_EXTRAS and not key.startswith("_"):
                out.setdefault(key, value)
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc_info"] = record.exc_text
        if record.stack_info:
            out["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def use_json(logger: logging.Logger) -> None:
    """Give each handler of ``logger`` the JSON formatter and the context filter (Celery, gunicorn)."""
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())
