from datetime import timedelta

import pytest
from django.utils import timezone

from workorders.outages.models import OutageEvent


@pytest.fixture
def outage(users, depts):
    """An outage on 幸福路 and 光明街, started three hours ago, expected back in two."""
    now = timezone.now()
    return OutageEvent.objects.create(
        area="幸福路, 光明街",
        unit=depts["BJ-CD"],
        started_at=now - timedelta(hours=3),
        expected_restore_at=now + timedelta(hours=2),
        cause="10kV线路故障",
        created_by=users["dispatcher"],
    )
