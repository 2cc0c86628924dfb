"""A real Celery worker in a child process, for the tests whose point is the trip through a broker."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def celery_worker(*, env=None, queue=None, log_path: Path, concurrency=1):
    """Start ``celery worker`` on its own queue, wait until it is ready, stop it afterwards."""
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    child_env = {**os.environ, **(env or {})}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--pool",
                "threads" if concurrency > 1 else "solo",
                "--concurrency",
                str(concurrency),
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start:\n" + log_path.read_text())
            time.sleep(0.2)
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for(predicate, *, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()
