"""The HTTP side of the benchmark: gunicorn on loopback, locust driving it, the figures of one run.

``Server`` starts ``gunicorn config.wsgi:application`` on a free loopback port with DEBUG off and
the environment pointing at the benchmark's own database; ``Server.run(scenario)`` runs locust
headless (a child process: gevent must not patch this one) for one path and returns ``Figures``.
"""

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import CommandError
from django.db import connection

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def p95(times: list[float]) -> float:
    """The 95th percentile by nearest rank."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Figures:
    """What one locust run measured."""

    times_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a few failure messages
    failures: int = 0
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.times_ms)

    @property
    def p95(self) -> float | None:
        return p95(self.times_ms) if self.times_ms else None

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


def database_url() -> str:
    """The URL of the database this process uses (under pytest: the test database)."""
    s = connection.settings_dict
    auth = quote(s.get("USER") or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"


def drop_queue(queue: str, *, redis_url: str, var_dir: Path, out) -> None:
    """Forget the deliveries published to ``queue`` (no worker consumes the benchmark's queues)."""
    if redis_url:
        try:
            import redis  # noqa: PLC0415 - only with a Redis broker (celery[redis] brings it)

            # The list of messages and the exchange bindings kombu declared for it.
            keys = [queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"]
            redis.Redis.from_url(redis_url, socket_timeout=2).delete(*keys)
        except Exception as exc:  # noqa: BLE001 - cleaning up is best effort
            out(f"(could not delete the Redis list {queue}: {exc})")
        return
    for message in (Path(var_dir) / "celery" / "queue").glob(f"*.{queue}.msg"):
        message.unlink(missing_ok=True)


def newest_static_source() -> float:
    """The modification time of the newest file the static finders see."""
    newest = 0.0
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            newest = max(newest, os.stat(storage.path(path)).st_mtime)
    return newest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the project on 127.0.0.1 (use as a context manager)."""

    def __init__(self, *, workers: int, out, timeout: float = 120.0):
        self.workers, self.out, self.timeout = workers, out, timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="benchmark-"))
        # Static files and the embedded broker's folders of the child live under var/benchmark/.
        self.var_dir = Path(settings.BASE_DIR) / "var" / "benchmark"
        self.queue = f"benchmark-{self.port}"  # deliveries published during the run go here
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "DEBUG": "0",
            # This process's key: the sessions it opens for the benchmark's users must hold there.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "BENCHMARK_BARE_VIEWS": "1",
            # A few logins carry many agents' load here: per-user limits would measure the 429s.
            "THROTTLE_RATE_USER": "",
            "THROTTLE_RATE_SEARCH": "",
            "THROTTLE_RATE_SEARCH_HOUR": "",
            "VAR_DIR": str(self.var_dir),
            "NOTIFY_QUEUE": self.queue,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = None

    def __enter__(self):
        t0 = time.perf_counter()
        self._collectstatic()
        log = open(self.workdir / "gunicorn.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in __exit__
        self._log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                str(int(self.timeout)),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status in (200, 503):
                        break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise CommandError(f"gunicorn did not answer within 60 s: {self.log_tail()}")
            time.sleep(0.2)
        self.out(
            f"gunicorn, {self.workers} workers, on {self.url} (DEBUG off) "
            f"ready in {time.perf_counter() - t0:.1f} s"
        )
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        drop_queue(self.queue, redis_url=self.env.get("REDIS_URL", ""), var_dir=self.var_dir, out=self.out)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return (self.workdir / "gunicorn.log").read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def _collectstatic(self) -> None:
        """DEBUG off serves the manifest-hashed static files: collect them when a source is newer."""
        manifest = self.var_dir / "staticfiles" / "staticfiles.json"
        if manifest.exists() and newest_static_source() <= manifest.stat().st_mtime:
            return
        self.out("collecting static files for DEBUG off (once) …")
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise CommandError(f"collectstatic failed: {result.stderr[-2000:]}")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (Linux /proc), in MB."""
        sizes = []
        if self.process is None:
            return sizes
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) != self.process.pid:
                    continue
                status = (stat.parent / "status").read_text()
            except (OSError, IndexError, ValueError):
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def run(self, scenario: dict, *, users: int, seconds: float, timeout: float) -> Figures:
        """Drive one scenario (see locustfile.py) with ``users`` concurrent clients for ``seconds``."""
        name = f"s{time.monotonic_ns()}"
        spec = self.workdir / f"{name}.json"
        result = self.workdir / f"{name}-result.json"
        spec.write_text(json.dumps({**scenario, "timeout": timeout, "out": str(result)}), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            self.url,
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{max(1, int(round(seconds)))}s",
            "--stop-timeout",
            str(int(timeout)),
            "--only-summary",
            "--csv",
            str(self.workdir / name),
            "--loglevel",
            "WARNING",
        ]
        env = {**os.environ, "BENCH_SCENARIO": str(spec)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=seconds + 2 * timeout + 60
        )
        if not result.exists():
            raise CommandError(f"locust failed ({done.returncode}): {done.stderr[-2000:]}")
        data = json.loads(result.read_text(encoding="utf-8"))
        span = (data["end"] - data["start"]) if data["start"] and data["end"] else 0.0
        return Figures(
            times_ms=data["times_ms"], errors=data["errors"], failures=data["failures"], seconds=span
        )


def wait_until_idle(max_seconds: float = 120.0) -> None:
    """Wait until no other session of this database runs a query (a request the load generator gave
    up on may still run in a worker; it must not weigh on the next path)."""
    deadline = time.monotonic() + max_seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.2)
