"""Sampling, scoring, the appeal and its decision (services)."""

import pytest

from notifications.models import Notification
from workorders.models import Inspection, InspectionLog, InspectionRound
from workorders.quality.models import QUALITY_MAX_TOTAL, InspectionState
from workorders.quality.services import (
    QualityError,
    inspection_appeal,
    inspection_decide,
    inspection_score,
    parse_week,
    pick_sample,
    previous_week,
    quality_sample,
)

from .conftest import WEEK

pytestmark = pytest.mark.django_db

FULL = {"intake": 25, "classification": 25, "reply": 30, "callback": 20}


def _orders(n, *, agents, depts):
    return [
        {
            "id": i,
            "received_by_id": agents[i % len(agents)],
            "department_id": depts[i % len(depts)],
            "satisfaction": "satisfied",
            "first_satisfaction": "",
            "level": "general",
        }
        for i in range(1, n + 1)
    ]


def test_pick_sample_takes_n_per_agent_and_per_department_plus_every_unsatisfied_and_serious():
    # given 60 orders of 3 agents and 4 departments, one unsatisfied (first answer), two serious
    orders = _orders(60, agents=[101, 102, 103], depts=[7, 8, 9, 10])
    orders[10]["first_satisfaction"] = "unsatisfied"
    orders[20]["level"] = "special"
    orders[30]["level"] = "major"
    # when
    picked = pick_sample(orders, per_person=2, seed="quality:2026-W45")
    # then
    by_id = {o["id"]: o for o in orders}
    for agent in (101, 102, 103):
        assert sum(1 for i, r in picked.items() if "agent" in r and by_id[i]["received_by_id"] == agent) == 2
    for dept in (7, 8, 9, 10):
        assert (
            sum(1 for i, r in picked.items() if "department" in r and by_id[i]["department_id"] == dept) == 2
        )
    assert "unsatisfied" in picked[11] and "level" in picked[21] and "level" in picked[31]
    assert len(picked) <= 3 * 2 + 4 * 2 + 3
    # the same week picks the same orders; another week may not
    assert pick_sample(orders, per_person=2, seed="quality:2026-W45") == picked


def test_pick_sample_takes_all_of_a_small_group_and_honours_the_setting():
    orders = _orders(3, agents=[1], depts=[5])
    assert set(pick_sample(orders, per_person=5, seed="x")) == {1, 2, 3}
    assert len(pick_sample(_orders(30, agents=[1], depts=[5]), per_person=1, seed="x")) <= 2


def test_sample_of_a_week_is_idempotent_and_takes_the_mandatory_orders(closed, settings, users):
    # given the setting at 1 per agent and department, and five orders closed in the week
    settings.QUALITY_SAMPLE_PER_PERSON = 1
    plain = [closed(day=d) for d in range(3)]
    unsatisfied = closed(satisfaction="unsatisfied", day=3)
    special = closed(level="special", day=4)
    # when
    rnd, created = quality_sample(week=WEEK)
    # then: the unsatisfied and the special one, one per agent, one per department
    sampled = set(rnd.inspections.values_list("order_id", flat=True))
    assert {unsatisfied.pk, special.pk} <= sampled
    assert sum(1 for i in rnd.inspections.all() if "agent" in i.reasons) == 1
    assert sum(1 for i in rnd.inspections.all() if "department" in i.reasons) == 1
    assert created == len(sampled) <= 4
    assert rnd.settings_used["per_person"] == 1
    assert all(i.agent == users["agent"] and i.state == "pending" for i in rnd.inspections.all())
    assert set(sampled) <= {o.pk for o in plain} | {unsatisfied.pk, special.pk}
    assert InspectionLog.objects.filter(action="sampled").count() == created
    # when run again: nothing added
    again, created_again = quality_sample(week=WEEK)
    assert again == rnd and created_again == 0
    assert Inspection.objects.count() == created and InspectionRound.objects.count() == 1


def test_sample_leaves_out_orders_closed_in_another_week(closed):
    closed(day=8)  # the Tuesday of the week after
    rnd, created = quality_sample(week=WEEK)
    assert created == 0 and rnd.week == WEEK


def test_weeks_parse_and_the_previous_week():
    from datetime import date

    assert parse_week("2026-W45") == date(2026, 11, 2)
    assert previous_week(date(2026, 11, 11)) == "2026-W45"
    with pytest.raises(ValueError):
        parse_week("2026-45")


def test_total_is_the_sum_of_items_and_each_item_is_bounded(closed, users):
    order = closed()
    rnd, _n = quality_sample(week=WEEK)
    inspection = rnd.inspections.get(order=order)
    with pytest.raises(QualityError) as too_much:
        inspection_score(
            user=users["supervisor"], inspection_id=inspection.pk, scores={**FULL, "reply": 31}, version=1
        )
    assert too_much.value.code == "invalid_scores"
    with pytest.raises(QualityError):
        inspection_score(
            user=users["supervisor"], inspection_id=inspection.pk, scores={**FULL, "callback": "x"}, version=1
        )
    done = inspection_score(
        user=users["supervisor"], inspection_id=inspection.pk, scores={**FULL, "reply": 12}, version=1
    )
    assert done.total == QUALITY_MAX_TOTAL - 30 + 12 == 82
    assert done.state == InspectionState.SCORED and done.inspector == users["supervisor"]
    # the inspected agent is told
    assert Notification.objects.filter(user=users["agent"], event_type="quality_scored").count() == 1


def test_a_double_submit_scores_once(closed, users):
    order = closed()
    rnd, _n = quality_sample(week=WEEK)
    inspection = rnd.inspections.get(order=order)
    inspection_score(user=users["supervisor"], inspection_id=inspection.pk, scores=FULL, version=1)
    with pytest.raises(QualityError) as second:
        inspection_score(user=users["supervisor"], inspection_id=inspection.pk, scores=FULL, version=1)
    assert second.value.code == "stale"
    with pytest.raises(QualityError) as third:
        inspection_score(user=users["supervisor"], inspection_id=inspection.pk, scores=FULL, version=2)
    assert third.value.code == "wrong_state"
    assert InspectionLog.objects.filter(inspection=inspection, action="scored").count() == 1
    assert Notification.objects.filter(event_type="quality_scored").count() == 1


def test_only_a_supervisor_scores(closed, users):
    order = closed()
    rnd, _n = quality_sample(week=WEEK)
    inspection = rnd.inspections.get(order=order)
    for who in ("agent", "handler2"):
        with pytest.raises(QualityError) as refused:
            inspection_score(user=users[who], inspection_id=inspection.pk, scores=FULL)
        assert refused.value.code in ("forbidden", "not_found")
    assert Inspection.objects.get(pk=inspection.pk).state == "pending"


def test_appeal_once_by_the_inspected_party_decided_once_by_a_manager(scored, users):
    # a stranger (another department's handler) cannot appeal
    with pytest.raises(QualityError) as stranger:
        inspection_appeal(user=users["handler"], inspection_id=scored.pk, reason="不服")
    assert stranger.value.code in ("forbidden", "not_found")
    # the agent appeals
    appealed = inspection_appeal(
        user=users["agent"], inspection_id=scored.pk, reason="受理记录完整", version=2
    )
    assert appealed.state == InspectionState.APPEALED and appealed.appeal.original_total == 85
    assert Notification.objects.filter(user=users["manager"], event_type="quality_appealed").exists()
    # a second appeal (by the agent or the department's handler) is refused
    for who in ("agent", "handler2"):
        with pytest.raises(QualityError) as again:
            inspection_appeal(user=users[who], inspection_id=scored.pk, reason="再申诉")
        assert again.value.code == "already_appealed"
    # a supervisor may not decide
    with pytest.raises(QualityError) as supervisor:
        inspection_decide(user=users["supervisor"], inspection_id=scored.pk, decision="upheld")
    assert supervisor.value.code == "forbidden"
    # a change needs a comment and a total in bounds
    with pytest.raises(QualityError):
        inspection_decide(
            user=users["manager"], inspection_id=scored.pk, decision="changed", new_total=101, comment="x"
        )
    with pytest.raises(QualityError):
        inspection_decide(user=users["manager"], inspection_id=scored.pk, decision="changed", new_total=90)
    decided = inspection_decide(
        user=users["manager"],
        inspection_id=scored.pk,
        decision="changed",
        new_total=92,
        comment="受理准确",
        version=3,
    )
    assert decided.state == InspectionState.DECIDED and decided.total == 92
    assert decided.appeal.decided_by == users["manager"] and decided.appeal.new_total == 92
    assert Notification.objects.filter(user=users["agent"], event_type="quality_decided").count() == 1
    # decided once
    with pytest.raises(QualityError) as twice:
        inspection_decide(user=users["manager"], inspection_id=scored.pk, decision="upheld")
    assert twice.value.code == "wrong_state"
    assert list(InspectionLog.objects.filter(inspection=scored).values_list("action", "actor__username")) == [
        ("sampled", None),
        ("scored", "supervisor"),
        ("appealed", "agent"),
        ("decided", "manager"),
    ]


def test_upheld_keeps_the_total(scored, users):
    inspection_appeal(user=users["handler2"], inspection_id=scored.pk, reason="部门申诉")
    decided = inspection_decide(
        user=users["manager"], inspection_id=scored.pk, decision="upheld", comment="维持"
    )
    assert decided.total == 85 and decided.appeal.decision == "upheld" and decided.appeal.new_total is None
