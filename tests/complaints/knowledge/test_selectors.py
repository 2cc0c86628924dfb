"""Search: a category's entries are its own and its ancestors'; only effective, active ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.knowledge import services
from complaints.knowledge.selectors import article_search, category_resolve, template_search

pytestmark = pytest.mark.django_db


def titles(qs):
    return sorted(e.title for e in qs)


def test_a_leaf_gets_its_own_and_its_ancestors_entries_not_its_siblings(make_article, cat):
    # given: one article on each level of 04 > 0401 > 040101, one on the sibling leaf, one elsewhere
    make_article("04", "供电质量总则")
    make_article("0401", "电压偏差限值")
    make_article("040101", "低电压要点")
    make_article("040102", "过电压要点")
    make_article("0204", "阶梯电价")
    # then
    assert titles(article_search(category=cat("040101"))) == ["低电压要点", "供电质量总则", "电压偏差限值"]
    # a level-2 category in a filter also lists what lies below it
    assert titles(article_search(category=cat("0401"))) == [
        "低电压要点",
        "供电质量总则",
        "电压偏差限值",
        "过电压要点",
    ]


def test_only_effective_and_active_entries_are_found_by_default(make_article, users):
    today = timezone.localdate()
    make_article(title="现行")
    make_article(title="明天生效", effective_from=today + timedelta(days=1))
    make_article(
        title="昨天到期", effective_from=today - timedelta(days=60), effective_to=today - timedelta(days=1)
    )
    make_article(title="今天最后一天", effective_from=today - timedelta(days=60), effective_to=today)
    retired = make_article(title="已废止")
    services.article_retire(article=retired, actor=users["supervisor"])
    assert titles(article_search()) == ["今天最后一天", "现行"]
    assert len(article_search(effective_only=False)) == 5
    # the same rows on the day the future one starts
    assert "明天生效" in titles(article_search(day=today + timedelta(days=1)))


def test_text_search_needs_every_word_in_the_title_or_text(make_article):
    make_article(title="电压偏差限值", body="220V 单相 +7% -10%")
    make_article(title="阶梯电价", body="第二档 第三档", code="0204")
    assert titles(article_search(q="电压")) == ["电压偏差限值"]
    assert titles(article_search(q="单相 电压")) == ["电压偏差限值"]
    assert titles(article_search(q="第三档")) == ["阶梯电价"]
    assert titles(article_search(q="电压 第三档")) == []


def test_templates_filter_by_stage(make_template):
    make_template(title="答复", stage="reply")
    make_template(title="回访", stage="callback")
    assert titles(template_search(stage="callback")) == ["回访"]
    assert titles(template_search()) == ["回访", "答复"]


def test_a_category_is_named_by_code_or_id(cat):
    leaf = cat("040101")
    assert category_resolve("040101") == leaf
    assert category_resolve(str(leaf.pk)) == leaf
    assert category_resolve("") is None and category_resolve("nonsense") is None
    assert category_resolve("9" * 30) is None and category_resolve("²") is None  # no overflow, no crash
