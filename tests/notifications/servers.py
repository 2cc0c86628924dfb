"""Local stand-ins for the outside world: an SMTP server and an HTTP webhook sink."""

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Records every POST; answers with ``status`` and ``answer`` (settable per test)."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.answer = b'{"errcode":0,"errmsg":"ok"}'
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status, answer = sink.status, sink.answer
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def json(self):
        return [json.loads(r["body"]) for r in self.requests]


@contextmanager
def webhook_sink():
    sink = Sink()
    sink.thread.start()
    try:
        yield sink
    finally:
        sink.server.shutdown()
        sink.server.server_close()


@contextmanager
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port; yields (port, received messages)."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "data": envelope.content.decode("utf-8", "replace"),
                }
            )
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, received
    finally:
        controller.stop()
