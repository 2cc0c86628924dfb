"""Per-user request limits for the API and the pages, counted in the shared cache (Redis) and, while
it is unreachable, in the process (``config.cache.resilient_cache``): an outage loosens the limit to
one per process, it never lifts it.

Two kinds of limit (``settings.THROTTLE_RATES``, ``None`` switches one off):

- ``user``: every request of a signed-in user (or an address, when anonymous); generous, against
  scripts and runaway clients.
- ``search`` and ``search_hour``: requests that look customers or orders up by free text or
  contact data (``SEARCHES``); tight, because a lookup answered thousands of times lets a user
  enumerate what masking hides. A type-ahead lookup counts each request.

The API answers 429 ``{"detail", "code": "throttled"}`` with ``Retry-After``; a page answers the
429 page (``ThrottleMiddleware``).
"""

from django.conf import settings
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

from .cache import resilient_cache

# path -> the query parameters that make a request a search there
SEARCHES: dict[str, tuple[str, ...]] = {
    "/api/v1/workorders/": ("search", "phone", "q"),
    "/api/v1/customers/": ("phone", "account_no", "q", "search"),
    "/orders/": ("search", "q"),
    "/search/": ("q",),
    "/intake/lookup/": ("phone", "account_no"),
}
# Pages and probes no limit applies to (static files never reach Django: WhiteNoise answers).
# Open311 has its own limit per key (``open311``), answered in the spec's error format.
EXEMPT_PREFIXES = ("/healthz", "/metrics", "/static/", "/i18n/", "/open311/")


def is_search(request) -> bool:
    params = SEARCHES.get(request.path)
    return bool(params) and any(request.GET.get(p, "").strip() for p in params)


class UserThrottle(SimpleRateThrottle):
    scope = "user"
    cache = resilient_cache

    def get_rate(self):
        return getattr(settings, "THROTTLE_RATES", {}).get(self.scope)

    def applies(self, request) -> bool:
        return True

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        if not self.applies(request):
            return True
        return super().allow_request(request, view)


class SearchThrottle(UserThrottle):
    scope = "search"

    def applies(self, request) -> bool:
        return is_search(request)


class SearchHourThrottle(SearchThrottle):
    scope = "search_hour"


THROTTLES = (UserThrottle, SearchThrottle, SearchHourThrottle)


class ThrottleMiddleware:
    """The same limits for the pages (the API applies them through DRF, after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith("/api/") or path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        waits = []
        for throttle_class in THROTTLES:
            throttle = throttle_class()
            if not throttle.allow_request(request, None):
                waits.append(throttle.wait() or 1)
        if waits:
            seconds = max(1, round(max(waits)))
            response = render(request, "429.html", {"retry_after": seconds}, status=429)
            response["Retry-After"] = str(seconds)
            return response
        return self.get_response(request)
