"""Limits of the public surfaces, counted in the shared cache like the staff limits
(``config.throttling``; while the cache is unreachable, per process: an outage loosens a limit, it
never lifts it). Rates are ``settings.THROTTLE_RATES``' ``public_*`` scopes, read at each call (a
missing or empty scope switches that limit off):

- ``public_track``: progress lookups per address (every lookup counts);
- ``public_track_number``: failed lookups per tracking number, from any address: once reached,
  every lookup of that number is refused until the window passes, the right pair too, so guessing
  the four digits learns nothing from which answer comes back;
- ``public_complain``: web intake filings per address (every filing attempt but a replay of a form
  already filed counts);
- ``public_complain_phone``: web intake filings per contact phone (each valid filing counts).

The address is ``REMOTE_ADDR``: a client writes ``X-Forwarded-For`` as it likes, so it is read only
when ``REST_FRAMEWORK["NUM_PROXIES"]`` says how many proxies in front of the application append
to it (then the address they saw is taken, as DRF's throttles do).
"""

import hashlib
import ipaddress
import math

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.cache import resilient_cache


def client_ip(request) -> str | None:
    """The client's address as this deployment can trust it (see the module's docstring); None
    when it is not an IP address."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if hops:
            address = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class PublicLimit(SimpleRateThrottle):
    """One public limit, by scope, for any identity (an address, a tracking number, a phone).

    ``check(ident)`` counts one try and answers the seconds to wait when the limit is already
    reached (None when allowed); ``check(ident, count=False)`` only asks; ``count(ident)`` adds a
    try without asking (the failed lookups of a tracking number)."""

    cache = resilient_cache

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_rate(self):
        return (getattr(settings, "THROTTLE_RATES", None) or {}).get(self.scope)

    def _load(self, ident: str) -> None:
        digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]  # no phone number in a cache key
        self.key = self.cache_format % {"scope": self.scope, "ident": digest}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def check(self, ident: str, *, count: bool = True) -> int | None:
        if self.rate is None:
            return None
        self._load(ident)
        if len(self.history) >= self.num_requests:
            return max(1, math.ceil(self.wait() or 1))
        if count:
            self.throttle_success()
        return None

    def count(self, ident: str) -> None:
        if self.rate is None:
            return
        self._load(ident)
        self.throttle_success()
