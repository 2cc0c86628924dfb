"""Search finds what an agent types (issue 14, item 5): part of a phone number, words near the
query in the content, the customer's name; a full tracking number opens the order; results are
ranked and in scope. The masking rule of issue 13 is ``test_search_masking.py``; the plans on
PostgreSQL are ``test_explain.py``. These run on SQLite and on PostgreSQL alike.
"""

import pytest
from django.http import QueryDict
from django.urls import reverse

from workorders.filters import WorkOrderFilter
from workorders.search import query_words, word_pairs, workorder_search, workorder_search_ranked
from workorders.selectors import workorder_list

pytestmark = pytest.mark.django_db

PHONE = "13967451288"
LOW_VOLTAGE = "晚上电压明显偏低，灯光昏暗，冰箱无法启动。"


def found(user, q) -> list[int]:
    return [o.pk for o in workorder_search(workorder_list(user), q, user=user)]


def ranked(user, q) -> list[int]:
    return [o.pk for o in workorder_search_ranked(workorder_list(user), q, user=user)]


@pytest.fixture
def low_voltage(build):
    return build.register(customer_name="欧阳娜娜", phone=PHONE, content=LOW_VOLTAGE)


@pytest.fixture
def other(build):
    return build.register(customer_name="钱先生", phone="13800001111", content="路灯不亮，夜间出行不便。")


def test_the_query_is_cut_into_character_pairs():
    assert query_words("电压偏低 abc") == ["电压偏低", "ABC"]
    assert word_pairs("电压偏低") == ["电压", "压偏", "偏低"]
    assert word_pairs("电压") == ["电压"] and word_pairs("ABCD") == ["ABCD"]


@pytest.mark.parametrize("part", ["1288", "674512", "3967451288", "139674"])
def test_a_part_of_the_phone_finds_the_order(part, low_voltage, other, users):
    # given two orders; when an agent types a part of one's phone (4 digits or more)
    # then that order, not the other
    assert found(users["agent"], part) == [low_voltage.pk]


def test_three_digits_are_not_a_phone_search(low_voltage, users):
    assert found(users["agent"], "128") == []


@pytest.mark.parametrize("q", ["电压偏低", "电压 偏低", "冰箱无法", "灯光昏暗"])
def test_words_near_the_query_find_the_content(q, low_voltage, other, users):
    # "电压偏低" finds "电压明显偏低"
    assert found(users["agent"], q) == [low_voltage.pk]


@pytest.mark.parametrize("q", ["电压正常", "高压", "冰柜损坏"])
def test_a_query_far_from_the_content_finds_nothing(q, low_voltage, users):
    assert found(users["agent"], q) == []


@pytest.mark.parametrize("q", ["欧阳娜娜", "欧阳", "娜娜"])
def test_the_customer_name_finds_the_order(q, low_voltage, other, users):
    assert found(users["agent"], q) == [low_voltage.pk]


def test_the_api_list_search_is_the_same_function(low_voltage, other, api_client_for):
    # when the list API is searched for a near phrase and a part of a phone
    api = api_client_for("agent")
    for q in ("电压偏低", "7451"):
        rows = api.get("/api/v1/workorders/", {"search": q}).json()["results"]
        # then the same order
        assert [r["id"] for r in rows] == [low_voltage.pk], q


def test_the_filter_set_keeps_the_search(low_voltage, users):
    qs = workorder_list(users["agent"])
    result = WorkOrderFilter(QueryDict("search=电压偏低"), queryset=qs, user=users["agent"]).qs
    assert list(result.values_list("pk", flat=True)) == [low_voltage.pk]


def test_the_whole_phrase_ranks_above_a_near_match(build, low_voltage, users):
    # given an older order with the very words typed and a newer one with the words apart
    exact = build.register(customer_name="孙女士", phone="13700002222", content="电压偏低已有一周。")
    newer = build.register(customer_name="周先生", phone="13700003333", content="电压有时偏低。")
    # when the agent searches, then the whole phrase first, then the near matches newest first
    assert ranked(users["agent"], "电压偏低") == [exact.pk, newer.pk, low_voltage.pk]


def test_results_stay_in_scope(low_voltage, build, users):
    # given the order in classification: no handler has seen it
    # when a handler searches its words or its name, then nothing
    assert found(users["handler"], "电压偏低") == []
    assert found(users["handler"], "欧阳娜娜") == []


def test_a_handler_finds_a_shown_phone_by_a_part_but_never_a_masked_one(build, users):
    # given an order the handler handles now (contact shown) and one closed there (masked)
    mine = build.order(
        "processing", stage="accepted", department="BJ-YX", handler="handler", phone="15800006677"
    )
    closed = build.order("closed", department="BJ-YX", handler="handler", phone="15800006688")
    # when the handler searches the shared part of the two numbers, then only the shown one
    assert found(users["handler"], "1580000") == [mine.pk]
    # the full number of the masked one still finds it
    assert found(users["handler"], "15800006688") == [closed.pk]


def test_a_full_tracking_number_opens_the_order(low_voltage, page_client_for):
    # when the agent searches a full tracking number (the header box goes to the same page)
    response = page_client_for("agent").get(reverse("complaints:search"), {"q": low_voltage.tracking_no})
    # then the order opens
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:detail", args=[low_voltage.pk])


def test_a_tracking_number_outside_scope_does_not_open(low_voltage, page_client_for):
    response = page_client_for("handler").get(reverse("complaints:search"), {"q": low_voltage.tracking_no})
    assert response.status_code == 200
    assert reverse("workorders:detail", args=[low_voltage.pk]) not in response.content.decode()


def test_the_search_page_lists_the_near_matches(low_voltage, other, page_client_for):
    body = page_client_for("agent").get(reverse("complaints:search"), {"q": "电压偏低"}).content.decode()
    assert low_voltage.tracking_no in body and other.tracking_no not in body


def test_the_search_page_finds_the_customer_by_a_part_of_the_phone(low_voltage, page_client_for):
    body = page_client_for("agent").get(reverse("complaints:search"), {"q": "74512"}).content.decode()
    assert reverse("complaints:customer", args=[low_voltage.customer_id]) in body
    assert low_voltage.tracking_no in body


def test_a_common_term_is_known_common_from_its_exact_matches_and_still_finds_the_near_ones(
    build, users, monkeypatch
):
    """More exact matches than TEXT_IDS_FIRST: the near matches are not collected (on PostgreSQL
    they would cost bitmaps of hundreds of thousands of rows), yet the orders found include them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import workorders.search as search

    monkeypatch.setattr(search, "TEXT_IDS_FIRST", 2)
    exact = [build.register(content=f"第{i}户电压偏低，灯光昏暗。") for i in range(3)]
    near = build.register(content=LOW_VOLTAGE)  # 电压明显偏低: near, not exact
    with CaptureQueriesContext(connection) as queries:
        pks = found(users["agent"], "电压偏低")
    probes = [q["sql"] for q in queries.captured_queries if "LIMIT 3" in q["sql"]]
    assert len(probes) == 1, probes  # the exact probe alone
    assert set(pks) == {o.pk for o in exact} | {near.pk}
    # a rare term: the near matches are collected too
    monkeypatch.setattr(search, "TEXT_IDS_FIRST", 10)
    with CaptureQueriesContext(connection) as queries:
        assert set(found(users["agent"], "电压偏低")) == {o.pk for o in exact} | {near.pk}
    assert len([q for q in queries.captured_queries if "LIMIT 11" in q["sql"]]) == 2
