"""Cache calls that never fail a request: a cache is an optimisation, so when it is unreachable
(Redis down, a timeout) the caller computes the value itself and the page still answers.

Use these for values that can be recomputed (counts, rendered fragments, the calendar's stamp);
never for state that only lives in the cache. After a failure the cache is not tried again for
``CACHE_RETRY_AFTER`` seconds (a process-local circuit breaker), so an outage costs one short
timeout per process instead of one per call; ``cache_healthy()`` tells the health check.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)
MISSING = object()
_down_until = 0.0


def _retry_after() -> float:
    return getattr(settings, "CACHE_RETRY_AFTER", 5.0)


def _available() -> bool:
    return time.monotonic() >= _down_until


def _failed(operation: str, key: str) -> None:
    global _down_until
    _down_until = time.monotonic() + _retry_after()
    log.warning("cache unavailable: %s %s", operation, key, exc_info=True)


def cache_reset() -> None:
    """Forget a remembered failure (tests; the health check after a successful probe)."""
    global _down_until
    _down_until = 0.0


def cache_get(key: str, default=None):
    if not _available():
        return default
    try:
        return cache.get(key, default)
    except Exception:  # the cache's own errors differ per backend; all mean "not cached"
        _failed("get", key)
        return default


def cache_set(key: str, value, timeout: float | None) -> None:
    if not _available():
        return
    try:
        cache.set(key, value, timeout)
    except Exception:
        _failed("set", key)


def cache_delete(key: str) -> None:
    if not _available():
        return
    try:
        cache.delete(key)
    except Exception:
        _failed("delete", key)


def cache_incr(key: str, timeout: float) -> int | None:
    """Add one to a counter that expires ``timeout`` seconds after it was created; None when the
    cache is unreachable (the caller falls back to its own counting)."""
    if not _available():
        return None
    try:
        if cache.add(key, 1, timeout):
            return 1
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1
    except Exception:
        _failed("incr", key)
        return None


def cache_healthy() -> bool:
    """Probe the cache now (ignores the breaker), and reset the breaker when it answers."""
    try:
        cache.set("healthz:probe", 1, 5)
        ok = cache.get("healthz:probe") == 1
    except Exception:
        log.warning("health check: cache unreachable", exc_info=True)
        return False
    if ok:
        cache_reset()
    return ok


class ResilientCache:
    """The shared cache while it answers, else a process-local one: for counters that must keep
    counting through an outage (the API throttles), where "not cached" would mean "no limit"."""

    def __init__(self):
        from django.core.cache.backends.locmem import LocMemCache  # noqa: PLC0415

        self.local = LocMemCache("resilient-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})

    def get(self, key, default=None):
        if _available():
            try:
                return cache.get(key, default)
            except Exception:
                _failed("get", key)
        return self.local.get(key, default)

    def set(self, key, value, timeout=None):
        if _available():
            try:
                return cache.set(key, value, timeout)
            except Exception:
                _failed("set", key)
        return self.local.set(key, value, timeout)


resilient_cache = ResilientCache()
