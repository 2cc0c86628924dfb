"""Scope through the API: outside it is 404 everywhere; handlers see masked contacts unless it is theirs."""

import pytest

from accounts.roles import Role
from workorders.lifecycle import ACTIONS

from .factories import UserFactory, act, snapshot

pytestmark = pytest.mark.django_db

PHONE, MASKED = "13812345678", "138****5678"
ADDRESS = "滨江市城东区幸福路12号3单元401室"


def listed_ids(api):
    response = api.get("/api/v1/workorders/", {"page_size": 200})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def assert_invisible(api, order):
    """Absent from the list, 404 for detail, events and every action endpoint; nothing changes."""
    assert order.pk not in listed_ids(api)
    before = snapshot()
    for url in (f"/api/v1/workorders/{order.pk}/", f"/api/v1/workorders/{order.pk}/events/"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert set(response.json()) == {"detail", "code"}
    for code in ACTIONS:
        response = api.post(
            f"/api/v1/workorders/{order.pk}/{code}/",
            {"version": order.version, "comment": "x", "reason": "x"},
            format="json",
        )
        assert response.status_code == 404, (code, response.json())
        assert response.json()["code"] == "not_found"
    assert snapshot() == before


@pytest.mark.parametrize("state", ["processing", "review", "callback", "closed"])
def test_a_handler_of_another_department_gets_404_everywhere(state, build, api_client_for):
    order = build.order(state, department="BJ-YJ", handler="handler2")
    for name in ("handler", "handler3"):  # 营销部, 城东供电所
        assert_invisible(api_client_for(name), order)
    assert order.pk in listed_ids(api_client_for("handler2"))


@pytest.mark.parametrize("state", ["intake", "classification", "assignment"])
def test_handlers_do_not_see_orders_never_routed_to_them(state, build, api_client_for):
    order = build.order(state)
    for name in ("handler", "handler2", "handler3"):
        assert_invisible(api_client_for(name), order)


def test_a_handler_still_sees_an_order_returned_from_their_department_but_cannot_act(
    build, api_client_for, depts
):
    order = build.order("processing", stage="accepted", department="BJ-YX", handler="handler")
    order = build.do(order, "return", "handler", reason="不属于营销部职责")
    order = build.do(order, "assign", "dispatcher", department=depts["BJ-YJ"].pk)
    api = api_client_for("handler")

    assert order.pk in listed_ids(api)
    detail = api.get(f"/api/v1/workorders/{order.pk}/").json()
    assert detail["department"]["id"] == depts["BJ-YJ"].pk
    assert set(detail["available_actions"]) == {"note", "attach"}
    assert [e["action"] for e in api.get(f"/api/v1/workorders/{order.pk}/events/").json()][-2:] == [
        "return",
        "assign",
    ]
    before = snapshot()
    for action in ("accept", "return", "request_extension"):
        data = act(api, order.pk, action, expect=403, reason="x", requested_due_at="2099-01-01T00:00:00Z")
        assert data["code"] == "not_your_department" and data["detail"]
    assert snapshot() == before


def _contact(api, order):
    detail = api.get(f"/api/v1/workorders/{order.pk}/").json()
    rows = [
        r for r in api.get("/api/v1/workorders/", {"page_size": 200}).json()["results"] if r["id"] == order.pk
    ]
    assert len(rows) == 1 and (rows[0]["phone"], rows[0]["address"]) == (detail["phone"], detail["address"])
    return detail["phone"], detail["address"]


def test_phone_and_address_are_masked_for_handlers_unless_theirs_now(build, api_client_for, depts):
    order = build.order(
        "processing", stage="accepted", department="BJ-YX", handler="handler", phone=PHONE, address=ADDRESS
    )
    assert _contact(api_client_for("handler"), order) == (PHONE, ADDRESS)
    order = build.do(order, "return", "handler", reason="非本部门")
    masked = _contact(api_client_for("handler"), order)
    assert (
        masked[0] == MASKED and masked[1] != ADDRESS and "401" not in masked[1] and masked[1].endswith("****")
    )

    order = build.do(order, "assign", "dispatcher", department=depts["BJ-YJ"].pk)
    assert _contact(api_client_for("handler2"), order) == (PHONE, ADDRESS)
    assert _contact(api_client_for("handler"), order)[0] == MASKED
    for name in ("agent", "dispatcher", "supervisor", "manager", "admin"):
        assert _contact(api_client_for(name), order) == (PHONE, ADDRESS), name

    for action, actor, body in [
        ("accept", "handler2", {}),
        ("contact", "handler2", {"method": "phone"}),
        (
            "reply",
            "handler2",
            {
                "cause": "c",
                "truthfulness": "true",
                "measures": "m",
                "reply": "r",
                "responsible_department": depts["BJ-YJ"].pk,
            },
        ),
        ("approve", "supervisor", {"comment": ""}),
        ("callback", "agent", {"reached": True, "satisfaction": "satisfied"}),
    ]:
        order = build.do(order, action, actor, **body)
    assert order.status == "closed"
    assert _contact(api_client_for("handler2"), order)[0] == MASKED  # closed: no longer theirs to handle
    assert _contact(api_client_for("agent"), order)[0] == PHONE


def test_landline_is_masked_too(build, api_client_for, depts):
    order = build.returned(department="BJ-YX", handler="handler")
    order = build.do(order, "assign", "dispatcher", department=depts["BJ-YJ"].pk)
    order.complaint.phone = "0571-87654321"
    order.complaint.save(update_fields=["phone"])
    assert _contact(api_client_for("handler"), order)[0] == "0571****4321"
    assert _contact(api_client_for("handler2"), order)[0] == "0571-87654321"


@pytest.mark.parametrize("role", ["agent", "dispatcher", "supervisor", "manager", "handler"])
def test_company_roles_see_only_their_company(role, build, other_company, api_client_for, users):
    jc_depts, jc_users = other_company
    ours = build.order("processing", department="BJ-YJ")
    theirs = build.register(agent=jc_users["agent"])
    theirs = build.do(theirs, "classify", jc_users["dispatcher"], category=ours.category_id, level="general")
    theirs = build.do(theirs, "assign", jc_users["dispatcher"], department=jc_depts["JC-YJ"].pk)
    assert theirs.unit_id == jc_depts["JC"].pk

    jc_api = api_client_for(jc_users[role])
    assert (
        theirs.pk in listed_ids(jc_api) and jc_api.get(f"/api/v1/workorders/{theirs.pk}/").status_code == 200
    )
    assert_invisible(jc_api, ours)

    bj_user = users["handler2" if role == "handler" else role]
    bj_api = api_client_for(bj_user)
    assert ours.pk in listed_ids(bj_api)
    assert_invisible(bj_api, theirs)
    # The admin sees both.
    assert {ours.pk, theirs.pk} <= listed_ids(api_client_for("admin"))


def test_a_dispatcher_cannot_route_to_another_company(build, other_company, api_client_for):
    jc_depts, _ = other_company
    order = build.order("assignment")
    before = snapshot()
    data = act(api_client_for("dispatcher"), order.pk, "assign", expect=400, department=jc_depts["JC-YJ"].pk)
    assert data["code"] == "department_out_of_scope"
    assert snapshot() == before


def test_a_supervisor_of_a_supply_unit_sees_its_subtree_only(build, depts, api_client_for):
    cd_supervisor = UserFactory(username="cd_supervisor", department=depts["BJ-CD"], roles=[Role.SUPERVISOR])
    api = api_client_for(cd_supervisor)
    at_cd = build.order("processing", department="BJ-CD", handler="handler3")
    at_yj = build.order("processing", department="BJ-YJ")
    assert at_cd.pk in listed_ids(api)
    assert_invisible(api, at_yj)


def test_role_refusals_are_403_json(api_client_for, build):
    from tests.builders import intake_body

    for name in ("handler", "dispatcher", "supervisor", "manager"):
        response = api_client_for(name).post("/api/v1/complaints/", intake_body(), format="json")
        assert response.status_code == 403
        assert set(response.json()) == {"detail", "code"} and response.json()["code"] == "permission_denied"
    order = build.order("review")
    response = api_client_for("agent").post(
        f"/api/v1/workorders/{order.pk}/approve/", {"version": order.version}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert response.json()["detail"]


def test_anonymous_requests_are_refused_with_json(client):
    response = client.get("/api/v1/workorders/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "code"}
