"""The triage reads at a realistic row count (issue 14), on the data of ``test_explain``: a queue
listed by due time probes the open deadlines per order of the queue (never a scan of the
deadlines or the orders), and the department suggestion walks the unit's recent orders by index."""

import pytest
from django.db import connection
from django.utils import timezone

from workorders.queues import queue_orders, with_due
from workorders.selectors import department_suggestion, suggestion_counts

from .test_explain import loaded, nodes, plan  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_triage_reads_walk_indexes(loaded, depts):  # noqa: F811
    # given a dispatch deadline per order waiting for assignment, and one per order in processing
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workorders_deadline (order_id, stage, cycle, started_at, limit_value, limit_unit, "
            "basis, original_due_at, due_at, escalation_level, paused_seconds, provisional, created_at) "
            "SELECT id, CASE WHEN status = 'assignment' THEN 'dispatch' ELSE 'reply' END, 0, received_at, "
            "30, 'minutes', 'policy', received_at + interval '30 minutes', "
            "received_at + interval '30 minutes', 0, 0, false, received_at "
            "FROM workorders_workorder "
            "WHERE tracking_no LIKE 'E%%' AND status IN ('assignment', 'processing')"
        )
        cursor.execute("ANALYZE workorders_deadline")
    big = {"workorders_workorder", "workorders_deadline", "complaints_complaint"}

    # a dispatcher's queue sorted by due time: the status index, then the deadlines per order
    queue = with_due(queue_orders(loaded["dispatcher"], "assign")).order_by("next_due", "id")[:26]
    scans = [(n["Node Type"], n.get("Relation Name")) for n in nodes(plan(queue))]
    assert not [s for s in scans if s[0] == "Seq Scan" and s[1] in big], scans
    assert len(list(queue)) == 26

    # the department suggestion: the unit's orders of the window by index, then their assignments by
    # order id
    order = queue_orders(loaded["dispatcher"], "assign").first()
    counts = suggestion_counts(
        unit_id=order.unit_id, category_id=order.category_id, user=loaded["dispatcher"]
    )
    every = nodes(plan(counts))
    scans = [(n["Node Type"], n.get("Relation Name")) for n in every]
    assert not [s for s in scans if s[0] == "Seq Scan" and s[1] in big | {"workorders_assignment"}], scans
    department_suggestion(unit_id=order.unit_id, category_id=order.category_id, now=timezone.now())
