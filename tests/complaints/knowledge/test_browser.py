"""In a real browser (headless Chromium): the intake panel follows the chosen category, and a
template chosen in the reply form fills the reply, filled for the order, and counts its use."""

import pytest

from complaints.knowledge.models import ReplyTemplate
from tests.e2e.conftest import browser, categories, login  # noqa: F401 - the e2e fixtures

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def test_the_intake_panel_follows_the_chosen_category(login, make_article, make_template):  # noqa: F811
    make_article("0401", "电压偏差限值")
    make_article("0204", "分档电价说明")
    make_template("040101", "低电压受理话术", "请问从什么时候开始？", stage="intake")
    page = login("agent", language="zh-hans")
    page.goto("/intake/")
    page.select_option("#intake-cat1", value=str(_pk("04")))
    page.select_option("#intake-cat2", value=str(_pk("0401")))
    with page.expect_response(lambda r: "/knowledge/panel/" in r.url):
        page.select_option("#intake-cat3", value=str(_pk("040101")))
    panel = page.locator("[data-testid=knowledge-panel]")
    panel.wait_for()
    assert "电压偏差限值" in panel.inner_text() and "低电压受理话术" in panel.inner_text()
    assert "分档电价说明" not in panel.inner_text()


def test_a_chosen_template_fills_the_reply_and_counts_a_use(login, build, make_template):  # noqa: F811
    template = make_template("040101", "低电压处理答复", "{customer_name}您好：工单{tracking_no}已处理。")
    order = build.order("processing")
    page = login("handler2", language="en")
    page.goto(f"/orders/{order.pk}/")
    box = page.locator("details[data-action=reply] textarea[name=reply]")
    box.fill("")
    with page.expect_response(lambda r: f"/knowledge/templates/{template.pk}/use/" in r.url) as used:
        page.select_option("details[data-action=reply] [data-knowledge-template]", value=str(template.pk))
    assert used.value.status == 204
    assert box.input_value() == f"张先生您好：工单{order.tracking_no}已处理。"
    assert ReplyTemplate.objects.get(pk=template.pk).use_count == 1


def _pk(code):
    from complaints.models import Category

    return Category.objects.get(code=code).pk
