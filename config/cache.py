"""Cache calls that never fail a request: a cache is an optimisation, so when it is unreachable
(Redis down, a timeout) the caller computes the value itself and the page still answers.

Use these for values that can be recomputed (counts, rendered fragments); never for state that only
lives in the cache."""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)
MISSING = object()


def cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception:  # the cache's own errors differ per backend; all mean "not cached"
        log.warning("cache unavailable: get %s", key, exc_info=True)
        return default


def cache_set(key: str, value, timeout: float) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        log.warning("cache unavailable: set %s", key, exc_info=True)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        log.warning("cache unavailable: delete %s", key, exc_info=True)
