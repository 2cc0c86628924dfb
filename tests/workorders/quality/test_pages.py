"""The quality pages: queue, scoring form, appeal, decision, results; Chinese and English."""

import pytest
from django.urls import reverse

from workorders.models import Inspection, InspectionLog
from workorders.quality.services import inspection_appeal, quality_sample

from .conftest import WEEK

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def pending(closed):
    order = closed()
    rnd, _n = quality_sample(week=WEEK)
    return rnd.inspections.get(order=order)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_queue_and_scoring_form_render(page_client_for, pending, language):
    client = page_client_for("supervisor", language=language)
    index = client.get(reverse("quality:index"))
    assert index.status_code == 200
    assert 'data-testid="quality-pending"' in index.content.decode()
    assert f'data-inspection="{pending.pk}"' in index.content.decode()
    detail = client.get(reverse("quality:detail", args=[pending.pk]))
    body = detail.content.decode()
    assert detail.status_code == 200 and 'data-testid="score-form"' in body
    assert reverse("workorders:detail", args=[pending.order_id]) in body
    assert f'<html lang="{language}">' in body
    if language == "en":
        assert "Quality inspection" in body and "Reply quality" in body
    assert "style=" not in body and "onclick" not in body


def test_a_double_submitted_score_form_scores_once(page_client_for, pending, users):
    client = page_client_for("supervisor")
    form = {
        "version": pending.version,
        "intake": 20,
        "classification": 20,
        "reply": 25,
        "callback": 15,
        "comment": "ok",
    }
    first = client.post(reverse("quality:score", args=[pending.pk]), form)
    second = client.post(reverse("quality:score", args=[pending.pk]), form, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    pending.refresh_from_db()
    assert pending.total == 80 and pending.state == "scored"
    assert InspectionLog.objects.filter(inspection=pending, action="scored").count() == 1
    assert 'data-testid="score-form"' not in second.content.decode()


def test_the_agent_sees_own_result_appeals_once_and_the_manager_decides(page_client_for, pending, users):
    page_client_for("supervisor").post(
        reverse("quality:score", args=[pending.pk]),
        {"version": 1, "intake": 10, "classification": 20, "reply": 20, "callback": 10},
    )
    agent = page_client_for("agent", language="en")
    mine = agent.get(reverse("quality:index")).content.decode()
    assert f'data-inspection="{pending.pk}"' in mine and "My results" in mine
    page = agent.get(reverse("quality:detail", args=[pending.pk])).content.decode()
    assert 'data-testid="appeal-form"' in page and 'data-testid="score-form"' not in page
    agent.post(reverse("quality:appeal", args=[pending.pk]), {"version": 2, "reason": "受理信息准确"})
    again = agent.get(reverse("quality:detail", args=[pending.pk])).content.decode()
    assert 'data-testid="appeal-form"' not in again and 'data-testid="appeal"' in again
    # the manager sees it waiting and decides
    manager = page_client_for("manager")
    assert f'data-inspection="{pending.pk}"' in manager.get(reverse("quality:index")).content.decode()
    assert (
        'data-testid="decide-form"'
        in manager.get(reverse("quality:detail", args=[pending.pk])).content.decode()
    )
    manager.post(
        reverse("quality:decide", args=[pending.pk]),
        {"version": 3, "decision": "changed", "new_total": 70, "comment": "受理无误"},
    )
    pending.refresh_from_db()
    assert pending.state == "decided" and pending.total == 70


def test_another_agent_and_another_department_cannot_open_a_result(page_client_for, pending, users):
    from tests.workorders.factories import UserFactory  # noqa: PLC0415

    other = UserFactory(username="agent2", roles=["agent"], department=users["agent"].department)
    assert page_client_for(other).get(reverse("quality:detail", args=[pending.pk])).status_code == 404
    assert page_client_for("handler").get(reverse("quality:detail", args=[pending.pk])).status_code == 404
    # pending: not even the inspected agent sees it before it is scored
    assert page_client_for("agent").get(reverse("quality:detail", args=[pending.pk])).status_code == 404


def test_a_supervisor_cannot_decide_through_the_page(page_client_for, pending, users):
    page_client_for("supervisor").post(
        reverse("quality:score", args=[pending.pk]),
        {"version": 1, "intake": 10, "classification": 20, "reply": 20, "callback": 10},
    )
    inspection_appeal(user=users["agent"], inspection_id=pending.pk, reason="不服")
    page_client_for("supervisor").post(
        reverse("quality:decide", args=[pending.pk]), {"version": 3, "decision": "upheld"}
    )
    assert Inspection.objects.get(pk=pending.pk).state == "appealed"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_results_page_shows_averages_per_week_person_and_department(page_client_for, closed, users, language):
    from workorders.quality.services import inspection_score  # noqa: PLC0415

    closed(day=1)
    closed(day=2)
    rnd, _n = quality_sample(week=WEEK, per_person=2)
    totals = iter([80, 90])
    for inspection in rnd.inspections.order_by("id"):
        inspection_score(
            user=users["supervisor"],
            inspection_id=inspection.pk,
            scores={"intake": 25, "classification": 25, "reply": 30, "callback": next(totals) - 80},
        )
    response = page_client_for("manager", language=language).get(reverse("quality:results") + "?weeks=26")
    body = response.content.decode()
    assert response.status_code == 200
    assert WEEK in body and "85.0" in body  # (80 + 90) / 2
    assert users["agent"].display_name in body
    assert page_client_for("agent").get(reverse("quality:results")).status_code == 403


def test_the_dashboard_links_to_the_quality_results(page_client_for):
    body = page_client_for("manager").get(reverse("dashboard")).content.decode()
    assert reverse("quality:results") in body and 'data-testid="quality-results-link"' in body
