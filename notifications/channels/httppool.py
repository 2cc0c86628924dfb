"""HTTP POST over keep-alive connections kept per thread (the SMS gateway and webhooks share it).

``addresses`` pins the connection to IP addresses that were checked (webhooks, see
``destinations``): the socket goes to the first that answers, while the Host header and the TLS
certificate check still use the URL's host name. An answer is read up to ``MAX_RESPONSE_BYTES``;
the rest is not read (the connection is dropped), so a receiver cannot fill the worker's memory.
"""

import http.client
import socket
import threading
import urllib.parse
from collections.abc import Callable, Sequence

from django.conf import settings

MAX_RESPONSE_BYTES = 64 * 1024

_local = threading.local()


Key = tuple[str, str, tuple[str, ...] | None]


def _connection(key: Key) -> http.client.HTTPConnection:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    conn = pool.get(key)
    if conn is None:
        scheme, netloc, addresses = key
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = pool[key] = cls(netloc, timeout=settings.NOTIFY_SEND_TIMEOUT)
        if addresses is not None:
            # http.client opens its socket with self._create_connection((host, port), …): send it to
            # the checked addresses instead; HTTPS still verifies the certificate for the host name.
            conn._create_connection = _connect_to(addresses)
    return conn


def _connect_to(addresses: tuple[str, ...]) -> Callable[..., socket.socket]:
    def create_connection(
        host_port: tuple[str, int], timeout: object = None, source_address: tuple[str, int] | None = None
    ) -> socket.socket:
        error: OSError | None = None
        for address in addresses:  # in the resolver's order, as socket.create_connection does
            try:
                return socket.create_connection((address, host_port[1]), timeout, source_address)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    return create_connection


def _drop(key: Key) -> None:
    conn = getattr(_local, "pool", {}).pop(key, None)
    if conn is not None:
        conn.close()


def http_post(
    url: str,
    body: bytes,
    headers: dict,
    *,
    addresses: Sequence[str] | None = None,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> tuple[int, bytes]:
    """POST with a reused keep-alive connection; one retry when a reused connection was stale.
    Returns the status and at most ``max_bytes`` of the answer."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    key = (parts.scheme, parts.netloc, tuple(addresses) if addresses is not None else None)
    for attempt in (1, 2):
        conn = _connection(key)
        fresh = conn.sock is None
        try:
            conn.request("POST", target, body=body, headers={**headers, "Content-Length": str(len(body))})
            response = conn.getresponse()
            answer = response.read(max_bytes + 1)
            if len(answer) > max_bytes or response.will_close or not response.isclosed():
                # too long (the rest stays unread), or the server closes: not reusable
                answer = answer[:max_bytes]
                _drop(key)
            return response.status, answer
        except (
            http.client.RemoteDisconnected,
            BrokenPipeError,
            ConnectionResetError,
            http.client.CannotSendRequest,
            http.client.ResponseNotReady,
        ):
            _drop(key)
            if fresh or attempt == 2:
                raise
        except Exception:
            _drop(key)
            raise
    raise RuntimeError("unreachable")
