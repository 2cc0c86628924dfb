"""HTTP POST over keep-alive connections kept per thread (the SMS gateway and webhooks share it)."""

import http.client
import threading
import urllib.parse

from django.conf import settings

_local = threading.local()


def _connection(scheme: str, netloc: str) -> http.client.HTTPConnection:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (scheme, netloc)
    conn = pool.get(key)
    if conn is None:
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = pool[key] = cls(netloc, timeout=settings.NOTIFY_SEND_TIMEOUT)
    return conn


def _drop(scheme: str, netloc: str) -> None:
    conn = getattr(_local, "pool", {}).pop((scheme, netloc), None)
    if conn is not None:
        conn.close()


def http_post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST with a reused keep-alive connection; one retry when a reused connection was stale."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    for attempt in (1, 2):
        conn = _connection(parts.scheme, parts.netloc)
        fresh = conn.sock is None
        try:
            conn.request("POST", target, body=body, headers={**headers, "Content-Length": str(len(body))})
            response = conn.getresponse()
            answer = response.read()
            if response.will_close:
                _drop(parts.scheme, parts.netloc)
            return response.status, answer
        except (
            http.client.RemoteDisconnected,
            BrokenPipeError,
            ConnectionResetError,
            http.client.CannotSendRequest,
            http.client.ResponseNotReady,
        ):
            _drop(parts.scheme, parts.netloc)
            if fresh or attempt == 2:
                raise
        except Exception:
            _drop(parts.scheme, parts.netloc)
            raise
    raise RuntimeError("unreachable")
