"""The admin edits through the services: a change there is a new version too."""

import pytest

from complaints.knowledge.models import Article, ArticleVersion

pytestmark = pytest.mark.django_db


def test_an_admin_change_saves_a_new_version(page_client_for, make_article):
    article = make_article(body="旧")
    client = page_client_for("admin", language="en")
    url = f"/admin/complaints/article/{article.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": article.title,
            "body": "新",
            "category": article.category_id,
            "effective_from": article.effective_from.isoformat(),
            "effective_to": "",
            "is_active": "on",
            "kind": "faq",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert (article.version, article.body, article.kind) == (2, "新", "faq")
    assert list(
        ArticleVersion.objects.filter(article=article).order_by("version").values_list("body", flat=True)
    ) == [
        "旧",
        "新",
    ]


def test_the_admin_lists_and_adds(page_client_for, cat):
    client = page_client_for("admin", language="en")
    assert client.get("/admin/complaints/article/").status_code == 200
    assert client.get("/admin/complaints/replytemplate/").status_code == 200
    response = client.post(
        "/admin/complaints/article/add/",
        {
            "title": "新文章",
            "body": "正文",
            "category": cat("01").pk,
            "effective_from": "2026-01-01",
            "is_active": "on",
            "kind": "policy",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="新文章")
    assert article.created_by.username == "admin" and article.versions.count() == 1
