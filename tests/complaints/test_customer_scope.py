"""Customer records follow scope (issue 13, item 5).

A supervisor or manager of a unit sees the customers of their subtree (a customer supplied by a unit
in it, or with an order whose unit or handling department is in it); agents and dispatchers the
customers of their company; administrators every customer. Outside scope a customer is not listed
by the lookup API, the intake lookup or the global search, and its page is 404, as for a customer
that does not exist. ``workorders.selectors.customers_for`` is the one answer.
"""

import pytest
from django.urls import reverse

from accounts.roles import Role
from complaints.models import Customer
from tests.workorders.factories import UserFactory
from workorders.selectors import customers_for, workorder_list

pytestmark = pytest.mark.django_db

A = {"customer_name": "甲客户", "phone": "13911110001", "account_no": "3311110001"}
B = {"customer_name": "乙客户", "phone": "13922220002", "account_no": "3322220002"}
Y = {"customer_name": "江川客户", "phone": "13933330003", "account_no": "3333330003"}


@pytest.fixture
def in_a(build):
    """A customer whose order is handled in 城东供电所 (BJ-CD, "unit A")."""
    return build.order("processing", stage="assigned", department="BJ-CD", **A).customer


@pytest.fixture
def in_b(build):
    """A customer who only complained in 城西供电所 (BJ-CX, "unit B")."""
    return build.order("processing", stage="assigned", department="BJ-CX", **B).customer


@pytest.fixture
def of_company_y(build, other_company):
    """A customer of another company (江川), taken in by its agent."""
    _depts, jc_users = other_company
    return build.register(agent=jc_users["agent"], **Y).customer


@pytest.fixture
def unit_a(depts):
    """A supervisor and a manager of 城东供电所 (BJ-CD) only."""
    return {
        "supervisor": UserFactory(
            username="cd_supervisor", department=depts["BJ-CD"], roles=[Role.SUPERVISOR]
        ),
        "manager": UserFactory(username="cd_manager", department=depts["BJ-CD"], roles=[Role.MANAGER]),
    }


def looked_up(api, **params) -> list[int]:
    response = api.get("/api/v1/customers/", params)
    assert response.status_code == 200, response.content[:300]
    return [c["id"] for c in response.json()]


def page_status(client, customer) -> int:
    return client.get(reverse("complaints:customer", args=[customer.pk])).status_code


def searched(client, q) -> str:
    return client.get(reverse("complaints:search"), {"q": q}).content.decode()


def customer_link(customer) -> str:
    return f'href="{reverse("complaints:customer", args=[customer.pk])}"'


@pytest.mark.parametrize("role", ["supervisor", "manager"])
def test_a_unit_sees_the_customers_of_its_subtree_only(
    role, unit_a, in_a, in_b, api_client_for, page_client_for
):
    # given a supervisor or manager of unit A
    api, page = api_client_for(unit_a[role]), page_client_for(unit_a[role])
    # then the lookup API finds A's customer, not B's
    assert looked_up(api, phone=A["phone"]) == [in_a.pk]
    assert looked_up(api, account_no=A["account_no"]) == [in_a.pk]
    assert looked_up(api, phone=B["phone"]) == []
    assert looked_up(api, account_no=B["account_no"]) == []
    # the customer page: A's is shown, B's is 404 like a customer that does not exist
    assert page_status(page, in_a) == 200
    assert page_status(page, in_b) == 404
    assert page.get(reverse("complaints:customer", args=[in_b.pk + 1000])).status_code == 404
    # the global search lists A's customer, not B's (by name, phone or account number)
    for q in (A["customer_name"], A["phone"], A["account_no"]):
        assert customer_link(in_a) in searched(page, q), q
    for q in (B["customer_name"], B["phone"], B["account_no"]):
        assert customer_link(in_b) not in searched(page, q), q
    # the intake lookup panel shows no record of B
    lookup = page.get(reverse("complaints:lookup"), {"phone": B["phone"]}).content.decode()
    assert 'data-testid="lookup-none"' in lookup and customer_link(in_b) not in lookup


def test_a_customer_supplied_by_the_unit_is_in_its_scope(unit_a, depts, api_client_for):
    # given a customer supplied by unit A who has not complained yet, and one supplied by unit B
    supplied = Customer.objects.create(phone="13944440004", supply_unit=depts["BJ-CD-YY"])
    elsewhere = Customer.objects.create(phone="13955550005", supply_unit=depts["BJ-CX"])
    # then unit A's supervisor finds the first only
    api = api_client_for(unit_a["supervisor"])
    assert looked_up(api, phone="13944440004") == [supplied.pk]
    assert looked_up(api, phone="13955550005") == []
    assert not customers_for(unit_a["supervisor"]).filter(pk=elsewhere.pk).exists()


def test_every_order_in_scope_leads_to_a_customer_in_scope(unit_a, in_a, in_b, users):
    # given orders handled in units A and B
    for user in (*unit_a.values(), users["agent"], users["dispatcher"], users["supervisor"]):
        # then every customer of an order the user sees is one they may open
        seen = set(workorder_list(user).values_list("customer_id", flat=True))
        assert seen <= set(customers_for(user).values_list("pk", flat=True)), user.username


@pytest.mark.parametrize("role", ["agent", "dispatcher"])
def test_agents_and_dispatchers_see_the_customers_of_their_company(
    role,
    in_a,
    in_b,
    of_company_y,
    other_company,
    users,
    api_client_for,
    page_client_for,
):
    _depts, jc_users = other_company
    # given a user of company X (滨江) and one of company Y (江川) in the same role
    ours_api, ours_page = api_client_for(role), page_client_for(role)
    theirs_api, theirs_page = api_client_for(jc_users[role]), page_client_for(jc_users[role])
    # then X's user finds every customer of X, none of Y
    assert looked_up(ours_api, phone=A["phone"]) == [in_a.pk]
    assert looked_up(ours_api, phone=B["phone"]) == [in_b.pk]
    assert looked_up(ours_api, phone=Y["phone"]) == []
    assert page_status(ours_page, in_b) == 200 and page_status(ours_page, of_company_y) == 404
    assert customer_link(of_company_y) not in searched(ours_page, Y["customer_name"])
    # and Y's user the other way round
    assert looked_up(theirs_api, phone=Y["phone"]) == [of_company_y.pk]
    assert looked_up(theirs_api, phone=A["phone"]) == []
    assert page_status(theirs_page, of_company_y) == 200 and page_status(theirs_page, in_a) == 404
    assert customer_link(in_a) not in searched(theirs_page, A["customer_name"])


def test_an_administrator_sees_every_customer(in_a, in_b, of_company_y, api_client_for, page_client_for):
    api, page = api_client_for("admin"), page_client_for("admin")
    for customer, data in ((in_a, A), (in_b, B), (of_company_y, Y)):
        assert looked_up(api, phone=data["phone"]) == [customer.pk]
        assert page_status(page, customer) == 200
        assert customer_link(customer) in searched(page, data["customer_name"])


def test_handlers_open_no_customer_record(in_a, users, api_client_for, page_client_for):
    # handlers reach customers through their orders only
    assert not customers_for(users["handler3"]).exists()
    assert api_client_for("handler3").get("/api/v1/customers/", {"phone": A["phone"]}).status_code == 403
    assert page_status(page_client_for("handler3"), in_a) == 404


def test_intake_offers_as_duplicates_only_the_orders_in_the_agents_scope(
    in_a,
    other_company,
    api_client_for,
):
    # given A's customer has an open order in company X
    _depts, jc_users = other_company
    body = {
        "channel": "phone_95598",
        "address": "滨江市城东区幸福路12号",
        "content": "再次来电反映电压低。",
        "demand": "尽快处理",
        **A,
    }
    # when an agent of company Y takes a complaint from the same customer
    theirs = api_client_for(jc_users["agent"]).post("/api/v1/complaints/", body, format="json")
    # then X's order is not offered to them; X's agent is offered it
    assert theirs.status_code == 201 and theirs.json()["possible_duplicates"] == []
    ours = api_client_for("agent").post("/api/v1/complaints/", body, format="json")
    assert ours.status_code == 201
    assert [d["tracking_no"] for d in ours.json()["possible_duplicates"]] == [
        in_a.workorders.order_by("pk").first().tracking_no
    ]
