"""/api/v1/inspections/: scope, score, appeal once, decide once, the schema."""

import pytest

from workorders.quality.services import quality_sample

from .conftest import WEEK

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/inspections/"
SCORES = {"intake": 20, "classification": 20, "reply": 20, "callback": 20}


@pytest.fixture
def pending(closed):
    order = closed()
    rnd, _n = quality_sample(week=WEEK)
    return rnd.inspections.get(order=order)


def test_score_appeal_decide_through_the_api(api_client_for, pending):
    supervisor = api_client_for("supervisor")
    listed = supervisor.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [pending.pk]
    assert listed["results"][0]["actions"] == ["score"]
    scored = supervisor.post(f"{URL}{pending.pk}/score/", {"version": 1, "scores": SCORES}, format="json")
    assert scored.status_code == 200 and scored.json()["total"] == 80 and scored.json()["state"] == "scored"
    again = supervisor.post(f"{URL}{pending.pk}/score/", {"version": 1, "scores": SCORES}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "stale"
    too_much = api_client_for("supervisor").post(
        f"{URL}{pending.pk}/score/", {"version": 2, "scores": {**SCORES, "reply": 40}}, format="json"
    )
    assert too_much.status_code in (400, 409)

    agent = api_client_for("agent")
    assert agent.get(f"{URL}{pending.pk}/").json()["actions"] == ["appeal"]
    appealed = agent.post(f"{URL}{pending.pk}/appeal/", {"version": 2, "reason": "不服"}, format="json")
    assert appealed.status_code == 200 and appealed.json()["appeal"]["reason"] == "不服"
    second = agent.post(f"{URL}{pending.pk}/appeal/", {"version": 3, "reason": "再次"}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "already_appealed"

    refused = supervisor.post(
        f"{URL}{pending.pk}/decide/", {"version": 3, "decision": "upheld"}, format="json"
    )
    assert refused.status_code == 403
    manager = api_client_for("manager")
    decided = manager.post(f"{URL}{pending.pk}/decide/", {"version": 3, "decision": "upheld"}, format="json")
    assert decided.status_code == 200 and decided.json()["appeal"]["decision"] == "upheld"
    twice = manager.post(f"{URL}{pending.pk}/decide/", {"version": 4, "decision": "upheld"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "wrong_state"


def test_scope_an_agent_sees_only_their_own_and_a_handler_their_departments(api_client_for, closed, users):
    from tests.workorders.factories import UserFactory  # noqa: PLC0415

    # given an order of another agent, in the same department
    other = UserFactory(username="agent2", roles=["agent"], department=users["agent"].department)
    mine, theirs = closed(), closed(agent=other)
    rnd, _n = quality_sample(week=WEEK)
    supervisor = api_client_for("supervisor")
    for inspection in rnd.inspections.all():
        supervisor.post(f"{URL}{inspection.pk}/score/", {"version": 1, "scores": SCORES}, format="json")
    mine_id = rnd.inspections.get(order=mine).pk
    theirs_id = rnd.inspections.get(order=theirs).pk
    # then
    assert [r["id"] for r in api_client_for("agent").get(URL).json()["results"]] == [mine_id]
    assert api_client_for("agent").get(f"{URL}{theirs_id}/").status_code == 404
    assert (
        api_client_for(other)
        .post(f"{URL}{mine_id}/appeal/", {"version": 2, "reason": "x"}, format="json")
        .status_code
        == 404
    )
    assert {r["id"] for r in api_client_for("handler2").get(URL).json()["results"]} == {mine_id, theirs_id}
    assert api_client_for("handler").get(URL).json()["results"] == []
    assert {r["id"] for r in api_client_for("manager").get(URL + "?state=scored").json()["results"]} == {
        mine_id,
        theirs_id,
    }


def test_inspections_are_in_the_openapi_schema(api_client_for):
    schema = api_client_for("admin").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/inspections/",
        "/api/v1/inspections/{id}/score/",
        "/api/v1/inspections/{id}/decide/",
    ):
        assert path in schema["paths"], path


def test_another_companys_supervisor_and_manager_neither_see_nor_act(api_client_for, pending, other_company):
    _depts, them = other_company
    for who in ("supervisor", "manager"):
        client = api_client_for(them[who])
        assert client.get(URL).json()["results"] == []
        assert client.get(f"{URL}{pending.pk}/").status_code == 404
    refused = api_client_for(them["supervisor"]).post(
        f"{URL}{pending.pk}/score/", {"version": 1, "scores": SCORES}, format="json"
    )
    assert refused.status_code == 404
    # and the appeal does not reach their manager
    from workorders.quality.services import managers_for  # noqa: PLC0415

    assert them["manager"] not in managers_for(pending.order)
