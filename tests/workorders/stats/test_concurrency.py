"""Concurrent transitions that create the same aggregate row both count (PostgreSQL)."""

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from workorders.models import StatsDaily, StatsUnitDaily
from workorders.stats.aggregates import DAILY_KEY, _bump

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL"
    ),
]


def test_two_transactions_creating_one_row_both_count():
    key = ["2026-01-05", 1, 0, 0, "phone_95598", "general"]
    barrier = threading.Barrier(2)
    inserted = threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                _bump(StatsDaily, DAILY_KEY, key, {"received": 1})
                barrier.wait()  # the row is inserted but not committed while the second one tries
                inserted.wait(timeout=2)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def second():
        try:
            barrier.wait()
            with transaction.atomic():
                threading.Timer(0.5, inserted.set).start()  # lets the first commit while we wait on its row
                _bump(StatsDaily, DAILY_KEY, key, {"received": 1, "closed": 1})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    row = StatsDaily.objects.get(day="2026-01-05", unit_id=1)
    assert row.received == 2 and row.closed == 1
    assert StatsUnitDaily.objects.count() == 0  # _bump touches only the table it is given
