"""The demo round, the management command and the beat task."""

from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from workorders.models import Inspection, InspectionRound
from workorders.quality.demo import seed_quality
from workorders.quality.tasks import sample_week

from .conftest import WEEK, in_week

pytestmark = pytest.mark.django_db


def test_demo_round_is_scored_with_one_decided_and_one_pending_appeal_and_idempotent(closed):
    for day in range(3):
        closed(day=day)
        closed(day=day, department="BJ-YX")
    closed(level="major", day=5)
    with time_machine.travel(in_week(days=9), tick=False):  # the Wednesday after WEEK
        result = seed_quality()
        again = seed_quality()
    assert result["inspections"] == Inspection.objects.count() >= 4
    assert again["inspections"] == result["inspections"] and InspectionRound.objects.get().week == WEEK
    states = list(Inspection.objects.values_list("state", flat=True))
    assert states.count("decided") == 1 and states.count("appealed") == 1 and states.count("pending") == 2
    decided = Inspection.objects.get(state="decided")
    assert decided.appeal.decision == "changed" and decided.total == decided.appeal.original_total + 3


def test_command_samples_a_week_once_and_refuses_a_bad_week(closed):
    closed()
    out = StringIO()
    call_command("quality_sample", "--week", WEEK, stdout=out)
    assert out.getvalue().startswith(f"{WEEK}: 1 inspections created")
    out = StringIO()
    call_command("quality_sample", "--week", WEEK, stdout=out)
    assert out.getvalue().startswith(f"{WEEK}: 0 inspections created, 1 in the round")
    with pytest.raises(CommandError):
        call_command("quality_sample", "--week", "week 45")


def test_beat_task_samples_the_week_before(closed):
    closed()
    with time_machine.travel(in_week(days=7, hours=2), tick=False):  # Monday 02:00 after WEEK
        assert sample_week() == 1
        assert sample_week() == 0
    assert InspectionRound.objects.get().week == WEEK
