"""Where a webhook may point: public addresses only, unless ``WEBHOOK_ALLOW_PRIVATE_NETWORKS``.

A webhook URL is the one outgoing request whose target an administrator types, so it must not reach
the server's own neighbourhood (SSRF): loopback, link-local (169.254.169.254, the cloud metadata
service), private, shared (CGNAT), multicast, reserved and unspecified addresses are refused. The
host is resolved and every address it resolves to must be public: when the URL is saved (the model
field's validator, so the admin and the API both check it) and again right before each send, and
the request then goes to the addresses that were checked (``http_post(..., addresses=...)``), so a name
that resolves differently a second later (DNS rebinding) cannot slip through.

``WEBHOOK_ALLOW_PRIVATE_NETWORKS`` (default False) switches the address check off, for intranet
receivers and for development against a local sink.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SCHEMES = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class DestinationRefused(Exception):
    """The URL may not be used; ``message`` says why (translated) and ``code`` is stable."""

    def __init__(self, message: str, code: str, params: dict | None = None):
        self.message, self.code, self.params = message, code, params or {}
        super().__init__(str(message % self.params) if self.params else str(message))


def private_networks_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", False))


def is_public(address: str) -> bool:
    """Whether an IP address is an ordinary public one (IPv4 inside IPv6 is judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is link-local
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; refuses anything else."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DestinationRefused(_("Enter a valid URL."), "invalid") from exc
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise DestinationRefused(_("A webhook URL must start with http:// or https://."), "scheme")
    if not parts.hostname:
        raise DestinationRefused(_("Enter a valid URL."), "invalid")
    return scheme, parts.hostname, port or SCHEMES[scheme]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself); raises OSError."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def checked_addresses(url: str) -> list[str] | None:
    """The addresses to connect to for ``url``, after checking every address its host resolves to.

    None when private networks are allowed (nothing to check: connect as usual). Raises
    ``DestinationRefused`` for a URL that may not be used, ``OSError`` (``socket.gaierror``) when the
    name cannot be resolved now (a transient failure: the caller may try again later).
    """
    _scheme, host, port = split_url(url)
    if private_networks_allowed():
        return None
    addresses = resolve(host, port)
    for address in addresses:
        if not is_public(address):
            raise DestinationRefused(
                _(
                    "Webhooks may not point at a loopback, link-local, private, multicast, reserved "
                    "or unspecified address: %(host)s is %(address)s."
                ),
                "private_address",
                {"host": host, "address": address},
            )
    return addresses


def validate_webhook_url(url: str) -> None:
    """Model field validator: the URL is http(s) and, unless private networks are allowed, its host
    resolves only to public addresses."""
    try:
        checked_addresses(url)
    except DestinationRefused as exc:
        raise ValidationError(exc.message, code=exc.code, params=exc.params) from exc
    except OSError as exc:
        host = urllib.parse.urlsplit(url).hostname
        raise ValidationError(
            _("The host %(host)s could not be resolved; check the URL."),
            code="unresolvable",
            params={"host": host},
        ) from exc
