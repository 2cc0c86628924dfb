"""Placeholders: a fixed list of names, filled by plain substitution; anything else stays."""

import pytest
from django.utils import timezone

from complaints.knowledge.placeholders import fill_placeholders, order_values
from complaints.knowledge.selectors import templates_for_order

VALUES = {"customer_name": "张先生", "tracking_no": "TS20261203001", "received_date": "2026-12-01"}


def test_known_placeholders_are_filled():
    text = "{customer_name}您好：您于{received_date}反映的问题（工单号{tracking_no}）已处理。"
    assert (
        fill_placeholders(text, VALUES)
        == "张先生您好：您于2026-12-01反映的问题（工单号TS20261203001）已处理。"
    )


@pytest.mark.parametrize(
    "text",
    [
        "{unknown_name}",  # not in the list
        "{customer_name.__class__}",  # attribute access
        "{0}",
        "{customer_name!r}",
        "{{customer_name}}x",  # doubled braces are not an escape: the inner one is filled
        "{% if x %}",
        "{{ customer_name }}",  # a template language's syntax is just text
    ],
)
def test_anything_else_in_braces_stays_as_typed(text):
    filled = fill_placeholders(text, VALUES)
    if text == "{{customer_name}}x":
        assert filled == "{张先生}x"
    else:
        assert filled == text


def test_a_known_name_without_a_value_stays_as_typed():
    assert fill_placeholders("{customer_name}：{reply_due_date}前答复", {"customer_name": ""}) == (
        "{customer_name}：{reply_due_date}前答复"
    )


@pytest.mark.django_db
def test_an_orders_values_and_its_templates_filled(build, make_template):
    # given: an order of 040101 in processing (its reply deadline runs) and templates up the tree
    order = build.order("processing")
    make_template(
        "040101",
        "低电压答复",
        "{customer_name}您好，{tracking_no}，{received_date}，{reply_due_date}，{oops}",
    )
    make_template("04", "供电质量答复", "{department}")
    make_template("0204", "电价答复", "不相关")
    make_template("040101", "低电压回访", "回访", stage="callback")
    # when
    values = order_values(order)
    offered = templates_for_order(order, "reply")
    # then
    assert values["tracking_no"] == order.tracking_no and values["customer_name"] == "张先生"
    assert values["received_date"] == timezone.localtime(order.received_at).strftime("%Y-%m-%d")
    assert values["reply_due_date"]  # the reply deadline's date
    assert [t["title"] for t in offered] == ["低电压答复", "供电质量答复"]  # the leaf's first
    assert offered[0]["body"] == (
        f"张先生您好，{order.tracking_no}，{values['received_date']}，{values['reply_due_date']}，{{oops}}"
    )
    assert offered[1]["body"] == str(order.department)
