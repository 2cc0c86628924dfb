"""``GET /metrics``: Prometheus text format, for configured addresses or a bearer token only."""

import hmac
import ipaddress
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.exposition import choose_encoder

from .metrics import scrape_registry

logger = logging.getLogger(__name__)


def _networks(entries) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: %r is not an address or network, ignored", entry)
    return networks


def address_allowed(address: str) -> bool:
    """``REMOTE_ADDR`` (never X-Forwarded-For: a client could write that) in ``METRICS_ALLOWED_IPS``."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(settings.METRICS_ALLOWED_IPS))


def token_matches(request) -> bool:
    expected = settings.METRICS_TOKEN
    if not expected:
        return False
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), expected.encode())


@never_cache
@require_GET
def metrics(request):
    if not (token_matches(request) or address_allowed(request.META.get("REMOTE_ADDR", ""))):
        return HttpResponseForbidden(
            "metrics: not from this address without the token\n", content_type="text/plain"
        )
    # The Prometheus text format, or OpenMetrics when the scraper asks for it (as prometheus_client's
    # own exporters negotiate).
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(scrape_registry()), content_type=content_type)
