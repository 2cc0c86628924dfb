"""Intake through the API: repeat detection (domain.md §5.3), duplicates, validation, text kept exactly."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints.models import Complaint, Customer
from tests.builders import category, intake_body
from tests.workorders.factories import act, snapshot
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

ACCOUNT, PHONE = "3305550001", "13955550001"


def post(api, **overrides):
    return api.post("/api/v1/complaints/", intake_body(**overrides), format="json")


def intake(api, **overrides):
    response = post(api, **overrides)
    assert response.status_code == 201, response.json()
    return response.json()


def same_customer(**more):
    return {"account_no": ACCOUNT, "phone": PHONE, **more}


# --- repeat complaints ----------------------------------------------------------------------------


def test_same_customer_same_l2_closed_within_the_window_is_a_repeat(build, api_client_for, settings):
    first = build.order("closed", **same_customer())  # 040101 低电压
    assert first.closed_at >= timezone.now() - timedelta(days=settings.REPEAT_WINDOW_DAYS)

    created = intake(
        api_client_for("agent"), category=category("040102").pk, **same_customer()
    )  # 过电压, same L2 0401
    wo = created["workorder"]
    assert wo["is_repeat"] is True and wo["repeat_of"] == first.pk
    assert wo["level"] == "important"
    order = WorkOrder.objects.get(pk=wo["id"])
    assert order.is_supervised is False and order.customer_id == first.customer_id


def test_repeat_found_at_classification_raises_the_level(build, api_client_for):
    first = build.order("closed", **same_customer())
    created = intake(api_client_for("agent"), **same_customer())  # no category yet
    oid = created["workorder"]["id"]
    assert created["workorder"]["is_repeat"] is False
    classified = act(
        api_client_for("dispatcher"), oid, "classify", category=category("040102").pk, level="general"
    )
    assert classified["is_repeat"] is True and classified["repeat_of"] == first.pk
    assert classified["level"] == "important"
    event = WorkOrder.objects.get(pk=oid).events.get(action="classify")
    assert event.payload["level_raised_from"] == "general" and event.payload["level"] == "important"


def test_the_third_time_is_major_and_supervised(build, api_client_for):
    first = build.order("closed", **same_customer())
    second = build.order("closed", **same_customer())
    assert second.is_repeat and second.repeat_of_id == first.pk and second.level == "important"

    created = intake(api_client_for("agent"), category=category("040101").pk, **same_customer())
    wo = created["workorder"]
    assert wo["is_repeat"] is True and wo["repeat_of"] == second.pk and wo["level"] == "major"
    assert WorkOrder.objects.get(pk=wo["id"]).is_supervised is True


def test_a_level_above_the_minimum_is_kept(build, api_client_for):
    build.order("closed", **same_customer())
    created = intake(api_client_for("agent"), category=category("040101").pk, **same_customer())
    oid = created["workorder"]["id"]
    assert (
        act(api_client_for("dispatcher"), oid, "classify", category=category("040101").pk, level="special")[
            "level"
        ]
        == "special"
    )


def test_closed_longer_ago_than_the_window_is_only_related(build, api_client_for, settings):
    with time_machine.travel(timezone.now() - timedelta(days=settings.REPEAT_WINDOW_DAYS + 10)):
        old = build.order("closed", **same_customer())
    created = intake(api_client_for("agent"), category=category("040101").pk, **same_customer())
    wo = created["workorder"]
    assert wo["is_repeat"] is False and wo["repeat_of"] is None and wo["level"] == "general"
    detail = api_client_for("agent").get(f"/api/v1/workorders/{wo['id']}/").json()
    assert detail["related_to"] == old.pk and detail["is_supervised"] is False


def test_another_issue_of_the_same_customer_is_not_a_repeat(build, api_client_for):
    build.order("closed", **same_customer())
    created = intake(api_client_for("agent"), category=category("020501").pk, **same_customer())  # metering
    assert created["workorder"]["is_repeat"] is False and created["workorder"]["level"] == "general"


def test_another_customer_with_the_same_issue_is_not_a_repeat(build, api_client_for):
    build.order("closed", **same_customer())
    created = intake(api_client_for("agent"), category=category("040101").pk)  # a fresh account and phone
    assert created["workorder"]["is_repeat"] is False


def test_without_account_number_the_phone_and_address_identify_the_customer(build, api_client_for):
    first = build.order("closed", account_no="", phone=PHONE, address="滨江市城西区和平路8号")
    api = api_client_for("agent")
    same = intake(
        api, account_no="", phone=PHONE, address="滨江市城西区和平路8号", category=category("040102").pk
    )
    assert same["workorder"]["is_repeat"] is True and same["workorder"]["repeat_of"] == first.pk
    other_place = intake(
        api, account_no="", phone=PHONE, address="滨江市城南区长江路99号", category=category("040102").pk
    )
    assert other_place["workorder"]["is_repeat"] is False


def test_an_open_order_on_the_same_issue_is_a_possible_duplicate(build, api_client_for):
    open_one = build.order("processing", **same_customer())
    created = intake(api_client_for("agent"), category=category("040102").pk, **same_customer())
    assert [(d["id"], d["tracking_no"], d["status"]) for d in created["possible_duplicates"]] == [
        (open_one.pk, open_one.tracking_no, "processing")
    ]
    assert created["workorder"]["is_repeat"] is False

    # Without a category yet, any open order of the customer is offered.
    uncategorised = intake(api_client_for("agent"), **same_customer())
    assert {d["id"] for d in uncategorised["possible_duplicates"]} == {
        open_one.pk,
        created["workorder"]["id"],
    }
    # A different issue is not offered; a closed order is never offered.
    other = intake(api_client_for("agent"), category=category("020501").pk, **same_customer())
    assert other["possible_duplicates"] == []


def test_a_call_while_the_issue_is_open_is_not_a_repeat_of_an_older_closed_order(build, api_client_for):
    """domain.md §5.3: the customer calling again about an open order urges it (or is a duplicate
    to merge); it is not a repeat of the order closed before, and the level is not raised."""
    first = build.order("closed", **same_customer())
    second = build.order("processing", **same_customer())
    assert second.is_repeat and second.repeat_of_id == first.pk and second.level == "important"

    api = api_client_for("agent")
    created = intake(api, category=category("040102").pk, **same_customer())
    wo = created["workorder"]
    assert wo["is_repeat"] is False and wo["repeat_of"] is None and wo["level"] == "general"
    assert [d["id"] for d in created["possible_duplicates"]] == [second.pk]  # offered for urge/merge
    order = WorkOrder.objects.get(pk=wo["id"])
    assert order.is_supervised is False and order.related_to_id is None

    # Found at classification, the same: not a repeat, the level the dispatcher chose.
    later = intake(api, **same_customer())["workorder"]["id"]
    classified = act(
        api_client_for("dispatcher"), later, "classify", category=category("040101").pk, level="general"
    )
    assert classified["is_repeat"] is False and classified["level"] == "general"
    assert "level_raised_from" not in WorkOrder.objects.get(pk=later).events.get(action="classify").payload


def test_an_earlier_order_dismissed_as_not_established_makes_no_repeat(build, api_client_for):
    dismissed = build.register(category=category("040101"), **same_customer())
    build.do(dismissed, "dismiss", "supervisor", reason="不属于供电企业责任")
    api = api_client_for("agent")
    created = intake(api, category=category("040102").pk, **same_customer())
    wo = created["workorder"]
    assert wo["is_repeat"] is False and wo["repeat_of"] is None and wo["level"] == "general"
    assert WorkOrder.objects.get(pk=wo["id"]).related_to_id is None
    # Not even when the agent links it explicitly, nor when it is found at classification.
    linked = intake(api, category=category("020501").pk, related_to=dismissed.pk, phone="13955550009")
    assert linked["workorder"]["is_repeat"] is False and linked["workorder"]["level"] == "general"
    later = intake(api, **same_customer(phone="13955550008"))["workorder"]["id"]
    build.do(wo["id"], "dismiss", "supervisor", reason="重复来电")  # no open order on the issue left
    classified = act(
        api_client_for("dispatcher"), later, "classify", category=category("040101").pk, level="general"
    )
    assert classified["is_repeat"] is False and classified["level"] == "general"


def test_a_handled_order_still_makes_a_repeat_past_a_later_dismissed_one(build, api_client_for):
    handled = build.order("closed", **same_customer())
    dismissed = build.register(category=category("040101"), **same_customer())
    assert dismissed.is_repeat  # a repeat when it came in; dismissed, it counts for nothing
    build.do(dismissed, "dismiss", "supervisor", reason="客户误报")
    created = intake(api_client_for("agent"), category=category("040101").pk, **same_customer())
    wo = created["workorder"]
    assert wo["is_repeat"] is True and wo["repeat_of"] == handled.pk and wo["level"] == "important"
    assert WorkOrder.objects.get(pk=wo["id"]).is_supervised is False  # the dismissed repeat is no 2nd time


def test_an_order_merged_into_another_makes_no_repeat(build, api_client_for):
    other_customer = build.order("processing")
    merged = build.register(**same_customer())
    build.do(merged, "merge", "dispatcher", into=other_customer.pk)
    created = intake(
        api_client_for("agent"), category=category("040101").pk, related_to=merged.pk, **same_customer()
    )
    assert created["workorder"]["is_repeat"] is False and created["workorder"]["level"] == "general"


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["12345", "23812345678", "1381234567", "138123456789", "abc13812345678", "13٨١٢٣٤٥٦٧٨"]
)
def test_bad_phone_is_400_with_a_field_message(phone, api_client_for, org):
    before = snapshot()
    response = post(api_client_for("agent"), phone=phone)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "11位手机号" in body["phone"][0]
    assert body["detail"] == body["phone"][0]
    assert snapshot() == before


@pytest.mark.parametrize("account_no", ["123", "33012345678", "33O1234567", "٣٣٠١٢٣٤٥٦٧"])
def test_bad_account_number_is_400_with_a_field_message(account_no, api_client_for, org):
    before = snapshot()
    response = post(api_client_for("agent"), account_no=account_no)
    assert response.status_code == 400
    assert "10位数字" in response.json()["account_no"][0]
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw,stored",
    [
        (" +86 138-1234-5678 ", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("0571-87654321", "0571-87654321"),
        ("（0571）87654321", "057187654321"),
    ],
)
def test_phone_numbers_are_normalised(raw, stored, api_client_for, org):
    created = intake(api_client_for("agent"), phone=raw)
    assert created["phone"] == stored
    assert Customer.objects.get(pk=created["customer"]).phone == stored


def test_full_width_digits_are_stored_as_ascii(api_client_for, org):
    """Digits typed with a Chinese input method (全角) are the same number, so lookups find it."""
    created = intake(
        api_client_for("agent"), account_no="３３０１２３４５６７", phone="１３８１２３４５６７８"
    )
    assert (created["account_no"], created["phone"]) == ("3301234567", "13812345678")
    customer = Customer.objects.get(pk=created["customer"])
    assert (customer.account_no, customer.phone) == ("3301234567", "13812345678")
    again = intake(api_client_for("agent"), account_no="3301234567", phone="13812345678")
    assert again["customer"] == created["customer"]


def test_phone_is_required_unless_anonymous(api_client_for, org):
    response = post(api_client_for("agent"), phone="")
    assert response.status_code == 400 and "phone" in response.json()
    created = intake(api_client_for("agent"), phone="", is_anonymous=True)
    assert created["workorder"]["status"] == "classification"


@pytest.mark.parametrize("field", ["address", "content", "demand", "channel"])
def test_required_fields_are_400(field, api_client_for, org):
    body = intake_body()
    del body[field]
    response = api_client_for("agent").post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_a_non_leaf_category_is_400(api_client_for, org):
    response = post(api_client_for("agent"), category=category("0401").pk)
    assert response.status_code == 400 and "category" in response.json()


# --- text kept exactly ----------------------------------------------------------------------------

LONG = (
    "　　尊敬的供电公司领导：我家住在滨江市城东区幸福路12号，自2026年7月以来，每到傍晚电压只有170伏左右，"
    "空调、冰箱无法正常启动。\r\n　　已多次拨打95598反映（工单号：2026071500001），至今未解决！"
    "生僻字：𠮷野家、𡈼、䶮；全角符号：（）【】《》“”‘’——……；表情：⚡🙏。\n"
)


def test_long_chinese_text_round_trips_byte_for_byte(api_client_for, org):
    content = (LONG * 100)[:10000]
    assert len(content) == 10000
    demand = "　　请尽快彻底解决低电压问题，并书面答复。\n"
    address = ("滨江市城东区幸福路12号" * 30)[:255]
    created = intake(
        api_client_for("agent"), content=content, demand=demand, address=address, customer_name="欧阳𠮷"
    )
    complaint = Complaint.objects.get(pk=created["id"])
    assert complaint.content.encode("utf-8") == content.encode("utf-8")
    assert complaint.demand.encode("utf-8") == demand.encode("utf-8")
    assert complaint.address == address and complaint.customer_name == "欧阳𠮷"
    detail = api_client_for("agent").get(f"/api/v1/workorders/{created['workorder']['id']}/").json()
    assert detail["content"].encode("utf-8") == content.encode("utf-8")
    assert detail["demand"] == demand and detail["address"] == address


def test_text_longer_than_the_field_allows_is_400(api_client_for, org):
    response = post(api_client_for("agent"), content="电" * 10001)
    assert response.status_code == 400 and "content" in response.json()
    response = post(api_client_for("agent"), address="路" * 256)
    assert response.status_code == 400 and "address" in response.json()


def test_an_explicit_link_by_the_agent_counts_as_the_same_issue(build, api_client_for):
    earlier = build.order("closed", **same_customer())  # 040101 低电压
    created = intake(
        api_client_for("agent"), category=category("020501").pk, related_to=earlier.pk, **same_customer()
    )
    assert created["workorder"]["is_repeat"] is True and created["workorder"]["repeat_of"] == earlier.pk
    assert created["workorder"]["level"] == "important"


def test_an_explicit_link_to_an_order_outside_the_agents_scope_is_ignored(
    build, other_company, api_client_for
):
    _, jc_users = other_company
    earlier = build.order("closed", **same_customer())
    response = api_client_for(jc_users["agent"]).post(
        "/api/v1/complaints/", intake_body(related_to=earlier.pk, phone="13955550002"), format="json"
    )
    assert response.status_code == 201, response.json()
    order = WorkOrder.objects.get(pk=response.json()["workorder"]["id"])
    assert order.related_to_id is None and order.repeat_of_id is None


def test_a_customer_known_to_another_company_can_complain_to_this_one(build, other_company, api_client_for):
    """The same account number taken by an agent of a second company: intake succeeds in their scope."""
    jc_depts, jc_users = other_company
    build.order("closed", **same_customer())  # the customer belongs to 滨江 (BJ)
    api = api_client_for(jc_users["agent"])
    response = api.post(
        "/api/v1/complaints/", intake_body(**same_customer(phone="13955550003")), format="json"
    )
    assert response.status_code == 201, response.json()
    order = WorkOrder.objects.get(pk=response.json()["workorder"]["id"])
    assert order.unit_id == jc_depts["JC"].pk and order.status == "classification"
    assert api.get(f"/api/v1/workorders/{order.pk}/").status_code == 200
