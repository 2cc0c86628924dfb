"""Search never matches a masked part of the customer's contact (issue 13, item 2).

A handler sees the phone and address masked on the orders that are not theirs to handle now (closed,
or moved to another department). For them a phone matches only in full and the address only on the
orders where it is shown; agents, dispatchers, supervisors, managers and administrators, who see
both everywhere, keep the partial match. Checked through the list API's ``search``, the /orders/
page's ``search``, the global search page and the customer lookup.
"""

import pytest
from django.http import QueryDict
from django.urls import reverse

from workorders.filters import WorkOrderFilter
from workorders.selectors import workorder_list

pytestmark = pytest.mark.django_db

PHONE, MASKED = "15712343955", "157****3955"
ADDRESS = "滨江市城东区幸福路88号7单元502室"
# A part of the phone past its visible head and tail, and parts of the address past its shown head.
PHONE_PARTS = ["1234", "12343955", "5712343955", "1571234395", "157123439"]
ADDRESS_PARTS = ["幸福路88号", "7单元502", "502室"]
CONTENT = "表箱门损坏，存在安全隐患。"


def api_found(api, search) -> set[int]:
    response = api.get("/api/v1/workorders/", {"search": search, "page_size": 200})
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def page_found(client, order, search) -> bool:
    """Whether the order's row is on the /orders/ page searched for ``search``."""
    body = client.get(reverse("workorders:list"), {"search": search}).content.decode()
    return order.tracking_no in body


def global_found(client, order, q) -> bool:
    body = client.get(reverse("complaints:search"), {"q": q}).content.decode()
    return order.tracking_no in body


@pytest.fixture
def closed_here(build):
    """An order closed in 市场营销部 (BJ-YX): the handler there sees its contact masked."""
    return build.order(
        "closed", department="BJ-YX", handler="handler", phone=PHONE, address=ADDRESS, content=CONTENT
    )


def test_the_fixture_order_is_masked_for_the_handler(closed_here, api_client_for):
    # given an order the handler sees, masked
    detail = api_client_for("handler").get(f"/api/v1/workorders/{closed_here.pk}/").json()
    # then
    assert detail["phone"] == MASKED and detail["address"] != ADDRESS


def test_a_masked_phone_is_found_only_by_the_full_number(closed_here, api_client_for, page_client_for):
    # given the handler who sees the order's phone masked
    api, page = api_client_for("handler"), page_client_for("handler")
    # when they search parts of the phone, then nothing; the full number finds the order
    for part in PHONE_PARTS:
        assert closed_here.pk not in api_found(api, part), part
        assert not page_found(page, closed_here, part), part
        assert not global_found(page, closed_here, part), part
    assert api_found(api, PHONE) == {closed_here.pk}
    assert page_found(page, closed_here, PHONE)
    assert global_found(page, closed_here, PHONE)


def test_a_masked_address_is_not_searched(closed_here, api_client_for, page_client_for):
    # given the handler who sees the order's address masked
    api, page = api_client_for("handler"), page_client_for("handler")
    # when they search parts of the address, then nothing
    for part in ADDRESS_PARTS:
        assert closed_here.pk not in api_found(api, part), part
        assert not page_found(page, closed_here, part), part
        assert not global_found(page, closed_here, part), part
    # the text they see is still searched
    assert api_found(api, "表箱门") == {closed_here.pk}
    assert page_found(page, closed_here, "表箱门")


@pytest.mark.parametrize("who", ["agent", "dispatcher", "supervisor", "manager", "admin"])
def test_who_sees_the_contact_keeps_the_partial_address_match(
    who, closed_here, api_client_for, page_client_for
):
    # given a role that sees the contact unmasked
    api, page = api_client_for(who), page_client_for(who)
    # when they search a part of the address, then the order; the full phone too
    for part in ADDRESS_PARTS:
        assert closed_here.pk in api_found(api, part), part
    assert page_found(page, closed_here, ADDRESS_PARTS[0])
    assert global_found(page, closed_here, ADDRESS_PARTS[0])
    assert closed_here.pk in api_found(api, PHONE)


def test_a_moved_order_is_masked_for_the_department_it_left(build, api_client_for, depts):
    # given an order returned by 市场营销部 and assigned to 运维检修部
    order = build.order(
        "processing", stage="accepted", department="BJ-YX", handler="handler", phone=PHONE, address=ADDRESS
    )
    order = build.do(order, "return", "handler", reason="非本部门")
    order = build.do(order, "assign", "dispatcher", department=depts["BJ-YJ"].pk)
    # when each handler searches a part of the address
    # then the department it left finds nothing, the one that has it now finds it
    assert order.pk not in api_found(api_client_for("handler"), "幸福路88号")
    assert api_found(api_client_for("handler2"), "幸福路88号") == {order.pk}
    # and both find it by the full phone
    assert order.pk in api_found(api_client_for("handler"), PHONE)
    assert order.pk in api_found(api_client_for("handler2"), PHONE)


def test_the_address_is_matched_only_on_the_orders_where_it_is_shown(closed_here, build, api_client_for):
    # given the same address on an order the handler handles now and on one closed
    open_here = build.order(
        "processing", stage="accepted", department="BJ-YX", handler="handler", address=ADDRESS
    )
    # when the handler searches a part of it, then only the open one
    assert api_found(api_client_for("handler"), "幸福路88号") == {open_here.pk}
    # and an agent finds both
    assert api_found(api_client_for("agent"), "幸福路88号") == {open_here.pk, closed_here.pk}


def test_a_filter_set_without_a_user_does_not_search_the_address(closed_here, users):
    # given a filter set made without a request or a user
    qs = workorder_list(users["agent"])
    # when it searches a part of the address, then nothing (contacts count as masked)
    assert not WorkOrderFilter(QueryDict("search=幸福路88号"), queryset=qs).qs.exists()
    # with the user, the agent's match
    found = WorkOrderFilter(QueryDict("search=幸福路88号"), queryset=qs, user=users["agent"]).qs
    assert list(found.values_list("pk", flat=True)) == [closed_here.pk]


def test_the_customer_lookup_takes_only_full_numbers(closed_here, api_client_for, page_client_for):
    # given the order's customer
    agent_api, agent_page = api_client_for("agent"), page_client_for("agent")
    # when a part of the phone is looked up, then no customer; the full number finds them
    for part in PHONE_PARTS:
        response = agent_api.get("/api/v1/customers/", {"phone": part})
        assert response.status_code == 200 and response.json() == [], part
        body = agent_page.get(reverse("complaints:lookup"), {"phone": part}).content.decode()
        assert f'href="{reverse("complaints:customer", args=[closed_here.customer_id])}"' not in body
    found = agent_api.get("/api/v1/customers/", {"phone": PHONE}).json()
    assert [c["id"] for c in found] == [closed_here.customer_id]
    # a handler may not look customers up, nor sees customers in the global search
    assert api_client_for("handler").get("/api/v1/customers/", {"phone": PHONE}).status_code == 403
    assert page_client_for("handler").get(reverse("complaints:lookup"), {"phone": PHONE}).status_code == 403
    body = page_client_for("handler").get(reverse("complaints:search"), {"q": PHONE}).content.decode()
    assert reverse("complaints:customer", args=[closed_here.customer_id]) not in body
