"""The knowledge pages: everyone signed in reads, supervisors and managers write (a new version);
the intake panel shows the chosen category's articles; the order page offers its templates."""

import re

import pytest

from complaints.knowledge.models import Article, ArticleVersion, ReplyTemplate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "category_name"), [("zh-hans", "040101 低电压"), ("en", "040101 Low voltage")]
)
def test_the_lists_render_in_both_languages(
    page_client_for, make_article, make_template, language, category_name
):
    make_article(title="电压偏差限值")
    make_template(title="低电压处理答复")
    client = page_client_for("agent", language=language)
    articles = client.get("/knowledge/")
    templates = client.get("/knowledge/templates/")
    assert articles.status_code == templates.status_code == 200
    page = articles.content.decode()
    assert f'<html lang="{language}">' in page and category_name in page and "电压偏差限值" in page
    assert "低电压处理答复" in templates.content.decode()
    assert 'data-testid="new-entry"' not in page  # an agent reads only
    if language == "en":
        assert "Knowledge base" in page


def test_the_list_searches_and_filters_by_category(page_client_for, make_article):
    make_article("040101", "低电压要点", body="测量")
    make_article("0204", "分档电价说明", body="分档")
    client = page_client_for("handler")
    assert "分档电价说明" not in client.get("/knowledge/?category=040101").content.decode()
    page = client.get("/knowledge/?q=分档").content.decode()
    assert "分档电价说明" in page and "低电压要点" not in page


def test_reading_an_article_counts_a_read(page_client_for, make_article):
    article = make_article()
    client = page_client_for("handler", language="en")
    client.get(f"/knowledge/articles/{article.pk}/")
    response = client.get(f"/knowledge/articles/{article.pk}/")
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).read_count == 2
    assert re.search(r'data-testid="read-count">2<', response.content.decode())


@pytest.mark.parametrize("who", ["handler", "agent", "dispatcher"])
def test_only_supervisors_and_managers_edit(page_client_for, make_article, make_template, cat, who):
    article, template = make_article(), make_template()
    client = page_client_for(who)
    body = {
        "kind": "faq",
        "title": "x",
        "category": cat("01").pk,
        "effective_from": "2026-01-01",
        "body": "y",
    }
    assert client.get("/knowledge/articles/new/").status_code == 403
    assert client.post("/knowledge/articles/new/", body).status_code == 403
    assert client.post(f"/knowledge/articles/{article.pk}/edit/", body).status_code == 403
    assert client.post(f"/knowledge/articles/{article.pk}/retire/").status_code == 403
    assert (
        client.post(f"/knowledge/templates/{template.pk}/edit/", {**body, "stage": "reply"}).status_code
        == 403
    )
    assert Article.objects.count() == 1 and Article.objects.get().version == 1
    assert ReplyTemplate.objects.get().version == 1


@pytest.mark.parametrize("who", ["supervisor", "manager"])
def test_an_edit_in_the_page_saves_a_new_version_and_the_old_one_reads(
    page_client_for, make_article, cat, who
):
    # given
    article = make_article(body="第一版")
    client = page_client_for(who)
    form = client.get(f"/knowledge/articles/{article.pk}/edit/")
    assert form.status_code == 200 and "第一版" in form.content.decode()
    # when
    response = client.post(
        f"/knowledge/articles/{article.pk}/edit/",
        {
            "kind": "procedure",
            "title": article.title,
            "category": cat("040101").pk,
            "effective_from": article.effective_from.isoformat(),
            "effective_to": "",
            "body": "第二版",
        },
    )
    # then
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).version == 2
    old = client.get(f"/knowledge/articles/{article.pk}/v1/").content.decode()
    assert "第一版" in old and 'data-testid="old-version"' in old
    current = client.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "第二版" in current and f"/knowledge/articles/{article.pk}/v1/" in current


def test_a_supervisor_creates_and_retires_a_template(page_client_for, cat):
    client = page_client_for("supervisor", language="en")
    response = client.post(
        "/knowledge/templates/new/",
        {
            "stage": "callback",
            "title": "回访话术",
            "category": cat("03").pk,
            "effective_from": "2026-01-01",
            "body": "您好，{customer_name}",
        },
    )
    template = ReplyTemplate.objects.get()
    assert response.status_code == 302 and template.created_by.username == "supervisor"
    assert client.post(f"/knowledge/templates/{template.pk}/retire/").status_code == 302
    template.refresh_from_db()
    assert not template.is_active
    assert "回访话术" not in client.get("/knowledge/templates/").content.decode()
    assert "回访话术" in client.get("/knowledge/templates/?all=on").content.decode()
    # a retired entry is not shown to those who cannot bring it back
    assert page_client_for("agent").get(f"/knowledge/templates/{template.pk}/").status_code == 404


def test_a_bad_date_range_is_shown_on_the_form(page_client_for, cat):
    client = page_client_for("manager", language="en")
    response = client.post(
        "/knowledge/articles/new/",
        {
            "kind": "faq",
            "title": "x",
            "category": cat("01").pk,
            "effective_from": "2026-05-01",
            "effective_to": "2026-04-01",
            "body": "y",
        },
    )
    assert (
        response.status_code == 200
        and "The end date comes before the start date." in response.content.decode()
    )
    assert not ArticleVersion.objects.exists()


def test_the_intake_panel_shows_the_chosen_categorys_articles_and_scripts(
    page_client_for, make_article, make_template, cat
):
    make_article("0401", "电压偏差限值")
    make_article("0204", "分档电价说明")
    make_template("040101", "低电压受理话术", "请问从什么时候开始？", stage="intake")
    make_template("040101", "低电压处理答复", "答复", stage="reply")
    client = page_client_for("agent")
    # the intake page holds the panel, fed by the panel URL on a category change
    intake = client.get("/intake/").content.decode()
    assert (
        'id="knowledge-panel"' in intake
        and 'hx-get="/knowledge/panel/"' in intake
        and "js/knowledge.js" in intake
    )
    panel = client.get(f"/knowledge/panel/?category={cat('040101').pk}").content.decode()
    assert "电压偏差限值" in panel and "低电压受理话术" in panel
    assert (
        "分档电价说明" not in panel and "低电压处理答复" not in panel
    )  # another category; not an intake script
    empty = client.get("/knowledge/panel/")  # no category chosen yet: a hint, no list
    assert empty.status_code == 200 and 'data-testid="knowledge-panel"' not in empty.content.decode()


def test_the_order_page_offers_the_categorys_templates_filled_for_the_order(
    build, page_client_for, make_template, users
):
    # given: an order of 040101 in processing (the handler's reply form) and one in callback
    make_template("040101", "低电压处理答复", "{customer_name}您好，工单{tracking_no}已处理。{unknown}")
    make_template("04", "供电质量回访", "请问是{customer_name}吗？", stage="callback")
    make_template("0204", "电价答复", "不相关")
    processing = build.order("processing")
    callback = build.order("callback")
    # when
    reply_page = page_client_for("handler2").get(f"/orders/{processing.pk}/").content.decode()
    callback_page = page_client_for("agent").get(f"/orders/{callback.pk}/").content.decode()
    # then
    assert 'data-testid="template-picker-reply"' in reply_page and 'data-fill="reply"' in reply_page
    assert f"张先生您好，工单{processing.tracking_no}已处理。{{unknown}}" in reply_page
    assert "不相关" not in reply_page and "js/knowledge.js" in reply_page
    assert (
        'data-testid="template-picker-callback"' in callback_page and 'data-fill="comment"' in callback_page
    )
    assert "请问是张先生吗？" in callback_page


def test_using_a_template_counts_it(page_client_for, make_template):
    template = make_template()
    assert page_client_for("handler2").post(f"/knowledge/templates/{template.pk}/use/").status_code == 204
    template.refresh_from_db()
    assert template.use_count == 1


def test_the_order_page_without_templates_has_no_picker(build, page_client_for):
    order = build.order("processing")
    page = page_client_for("handler2").get(f"/orders/{order.pk}/").content.decode()
    assert "template-picker" not in page


@pytest.mark.parametrize("who", ["agent", "handler", "supervisor"])
def test_the_navigation_links_the_knowledge_base_for_everyone(page_client_for, who):
    page = page_client_for(who, language="en").get("/knowledge/").content.decode()
    assert re.search(r'<a class="nav-link active" aria-current="page" href="/knowledge/">', page)
