"""Run the same request from several threads at once, each with its own database connection."""

import threading

import pytest
from django.db import connection, connections

SKIP_REASON = (
    "needs PostgreSQL: SQLite serialises every writer on one database lock, so requests "
    "cannot race there; run with DATABASE_URL=postgres://..."
)


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(SKIP_REASON)


def race(n, fn, *, timeout=30):
    """Call ``fn(i)`` in ``n`` threads released together by a barrier; return the results in order.

    An exception in a thread is re-raised here. Each thread closes its own connection at the end.
    """
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait(timeout=timeout)
            results[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), name=f"racer-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racing thread hung"
    if errors:
        raise errors[0]
    return results


def lock_waiters() -> int:
    """Sessions of this database now waiting for a lock (PostgreSQL)."""
    with connection.cursor() as cur:
        # Inside a transaction PostgreSQL keeps the first snapshot of the statistics views: drop it,
        # or a poll would never see a session that started waiting after the first look.
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cur.fetchone()[0]
