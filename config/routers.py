"""Reads that may come from a read replica: the dashboard, the pivot, reports and exports.

``DATABASE_REPLICA_URL`` adds the ``replica`` database; without it everything reads the primary.
Nothing reads the replica by default: a view or task opts in with ``@replica_reads`` (or the
``reading_replica()`` context), so every page that has just written (and any read that must see
its own writes) stays on the primary. Writes always go to the primary; migrations run there only.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_replica() -> Iterator[None]:
    """Inside: the ORM's reads go to the replica (when there is one)."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def replica_reads(view: Callable) -> Callable:
    """Decorator for a read-only view or task: its reads come from the replica."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        with reading_replica():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
