"""GET /api/v1/knowledge/articles/ and /templates/: the contract of design.md ("Second stage")."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CONTRACT = {"id", "title", "body", "category"}


def test_articles_of_a_leaf_by_code_or_id_with_the_contract_fields(api_client_for, make_article, cat):
    mine = make_article("0401", "电压偏差限值", body="220V +7% -10%")
    make_article("0204", "阶梯电价")
    client = api_client_for("handler")
    by_code = client.get("/api/v1/knowledge/articles/?category=040101")
    by_id = client.get(f"/api/v1/knowledge/articles/?category={cat('040101').pk}")
    assert by_code.status_code == by_id.status_code == 200
    assert by_code.json() == by_id.json()
    (row,) = by_code.json()
    assert CONTRACT <= set(row)
    assert (row["id"], row["title"], row["body"], row["category"]) == (
        mine.pk,
        "电压偏差限值",
        "220V +7% -10%",
        cat("0401").pk,
    )
    assert row["category_code"] == "0401" and row["kind"] == "procedure" and row["version"] == 1


def test_articles_text_search_and_effective_only(api_client_for, make_article):
    make_article(title="低电压要点", body="测量电压")
    make_article(title="将来的", body="测量电压", effective_from=timezone.localdate() + timedelta(days=3))
    rows = api_client_for("agent").get("/api/v1/knowledge/articles/", {"q": "测量"}).json()
    assert [r["title"] for r in rows] == ["低电压要点"]


def test_templates_by_category_and_stage_keep_their_placeholders(api_client_for, make_template):
    make_template("040101", "低电压处理答复", "{customer_name}您好", stage="reply")
    make_template("04", "供电质量回访", "请问是{customer_name}吗", stage="callback")
    make_template("03", "停电回访", "停电", stage="callback")
    client = api_client_for("handler2")
    rows = client.get("/api/v1/knowledge/templates/?category=040101&stage=callback").json()
    assert [(r["title"], r["body"], r["stage"]) for r in rows] == [
        ("供电质量回访", "请问是{customer_name}吗", "callback")
    ]
    assert CONTRACT <= set(rows[0])
    assert len(client.get("/api/v1/knowledge/templates/?category=040101").json()) == 2


def test_an_unknown_category_is_an_empty_list_and_a_bad_stage_a_400(api_client_for, make_template):
    make_template()
    client = api_client_for("agent")
    assert client.get("/api/v1/knowledge/templates/?category=999999").json() == []
    bad = client.get("/api/v1/knowledge/templates/?stage=whenever")
    assert bad.status_code == 400 and "stage" in bad.json().get("fields", bad.json())


def test_the_api_needs_a_login(make_article):
    make_article()
    assert APIClient().get("/api/v1/knowledge/articles/").status_code in (401, 403)


def test_the_schema_lists_both_endpoints_and_their_filters(api_client_for):
    schema = api_client_for("admin").get("/api/schema/", {"format": "json"}).json()
    articles = schema["paths"]["/api/v1/knowledge/articles/"]["get"]
    templates = schema["paths"]["/api/v1/knowledge/templates/"]["get"]
    assert {"category", "q", "kind"} <= {p["name"] for p in articles["parameters"]}
    assert {"category", "q", "stage"} <= {p["name"] for p in templates["parameters"]}
