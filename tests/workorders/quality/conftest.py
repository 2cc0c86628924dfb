"""Fixtures of the quality-inspection tests: closed orders in one ISO week and a sampled round."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from workorders.models import WorkOrder

WEEK = "2026-W45"  # Monday 2 November 2026


def in_week(days=1, hours=10):
    monday = timezone.make_aware(datetime(2026, 11, 2), timezone.get_default_timezone())
    return monday + timedelta(days=days, hours=hours)


@pytest.fixture
def closed(build, users):
    """closed(agent=..., department=..., level=..., satisfaction=...) → an order closed in WEEK."""

    def make(*, agent="agent", department="BJ-YJ", level="general", satisfaction="satisfied", day=1):
        handler = {"BJ-YJ": "handler2", "BJ-YX": "handler", "BJ-CD": "handler3"}[department]
        order = build.order("closed", department=department, handler=handler)
        # The figures the sample reads, set directly (an unsatisfied callback does not close by itself).
        WorkOrder.objects.filter(pk=order.pk).update(
            closed_at=in_week(day),
            received_by=(users[agent] if isinstance(agent, str) else agent) if agent else None,
            level=level,
            satisfaction=satisfaction,
        )
        return WorkOrder.objects.get(pk=order.pk)

    return make


@pytest.fixture
def scored(closed, users):
    """A scored inspection of an order the demo agent took in and BJ-YJ handled."""
    from workorders.quality.services import inspection_score, quality_sample

    order = closed()
    rnd, _n = quality_sample(week=WEEK)
    inspection = rnd.inspections.get(order=order)
    return inspection_score(
        user=users["supervisor"],
        inspection_id=inspection.pk,
        scores={"intake": 20, "classification": 25, "reply": 25, "callback": 15},
        comment="回复略简单",
        version=inspection.version,
    )
