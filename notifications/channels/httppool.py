"""HTTP POST over keep-alive connections kept per thread (the SMS gateway and webhooks share it).

``address`` pins the connection to an IP address that was checked (webhooks, see
``destinations``): the socket goes there, while the Host header and the TLS certificate check
still use the URL's host name. An answer is read up to ``MAX_RESPONSE_BYTES``; the rest is not
read (the connection is dropped), so a receiver cannot fill the worker's memory.
"""

import http.client
import socket
import threading
import urllib.parse
from collections.abc import Callable

from django.conf import settings

MAX_RESPONSE_BYTES = 64 * 1024

_local = threading.local()


def _connection(scheme: str, netloc: str, address: str | None) -> http.client.HTTPConnection:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (scheme, netloc, address)
    conn = pool.get(key)
    if conn is None:
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = pool[key] = cls(netloc, timeout=settings.NOTIFY_SEND_TIMEOUT)
        if address is not None:
            # http.client opens its socket with self._create_connection((host, port), …): send it to
            # the checked address instead; HTTPS still verifies the certificate for the host name.
            conn._create_connection = _connect_to(address)
    return conn


def _connect_to(address: str) -> Callable[..., socket.socket]:
    def create_connection(
        host_port: tuple[str, int], timeout: object = None, source_address: tuple[str, int] | None = None
    ) -> socket.socket:
        return socket.create_connection((address, host_port[1]), timeout, source_address)

    return create_connection


def _drop(scheme: str, netloc: str, address: str | None = None) -> None:
    conn = getattr(_local, "pool", {}).pop((scheme, netloc, address), None)
    if conn is not None:
        conn.close()


def http_post(
    url: str, body: bytes, headers: dict, *, address: str | None = None, max_bytes: int = MAX_RESPONSE_BYTES
) -> tuple[int, bytes]:
    """POST with a reused keep-alive connection; one retry when a reused connection was stale.
    Returns the status and at most ``max_bytes`` of the answer."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    for attempt in (1, 2):
        conn = _connection(parts.scheme, parts.netloc, address)
        fresh = conn.sock is None
        try:
            conn.request("POST", target, body=body, headers={**headers, "Content-Length": str(len(body))})
            response = conn.getresponse()
            answer = response.read(max_bytes + 1)
            if len(answer) > max_bytes or response.will_close or not response.isclosed():
                # too long (the rest stays unread), or the server closes: not reusable
                answer = answer[:max_bytes]
                _drop(parts.scheme, parts.netloc, address)
            return response.status, answer
        except (
            http.client.RemoteDisconnected,
            BrokenPipeError,
            ConnectionResetError,
            http.client.CannotSendRequest,
            http.client.ResponseNotReady,
        ):
            _drop(parts.scheme, parts.netloc, address)
            if fresh or attempt == 2:
                raise
        except Exception:
            _drop(parts.scheme, parts.netloc, address)
            raise
    raise RuntimeError("unreachable")
