"""Writes: an edit is a new version and the old one stays; only supervisors and managers write."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.knowledge import services
from complaints.knowledge.models import Article, ArticleVersion, ReplyTemplateVersion
from config.errors import DomainError

pytestmark = pytest.mark.django_db


def test_an_edit_makes_a_new_version_and_keeps_the_old_one(make_article, users, cat):
    # given
    article = make_article(body="旧的说法")
    # when
    edited = services.article_update(
        article=article, actor=users["manager"], body="新的说法", category=cat("0401")
    )
    # then
    assert edited.pk == article.pk and edited.version == 2
    assert Article.objects.get(pk=article.pk).body == "新的说法"
    old, new = ArticleVersion.objects.filter(article=article).order_by("version")
    assert (old.version, old.body, old.category.code, old.edited_by) == (
        1,
        "旧的说法",
        "040101",
        users["supervisor"],
    )
    assert (new.version, new.body, new.category.code, new.edited_by) == (
        2,
        "新的说法",
        "0401",
        users["manager"],
    )


def test_an_edit_that_changes_nothing_writes_no_version(make_article, users):
    article = make_article()
    same = services.article_update(article=article, actor=users["supervisor"], body=article.body)
    assert same.version == 1
    assert ArticleVersion.objects.filter(article=article).count() == 1


def test_templates_are_versioned_like_articles(make_template, users):
    template = make_template(body="v1 {tracking_no}")
    services.template_update(template=template, actor=users["supervisor"], body="v2 {tracking_no}")
    assert list(
        ReplyTemplateVersion.objects.filter(template=template)
        .order_by("version")
        .values_list("body", flat=True)
    ) == ["v1 {tracking_no}", "v2 {tracking_no}"]


@pytest.mark.parametrize("who", ["handler", "agent", "dispatcher"])
def test_only_supervisors_managers_and_admins_write(make_article, users, cat, who):
    article = make_article()
    with pytest.raises(DomainError) as refused:
        services.article_update(article=article, actor=users[who], body="改了")
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError):
        services.article_create(actor=users[who], kind="faq", title="x", body="y", category=cat("01"))
    with pytest.raises(DomainError):
        services.article_retire(article=article, actor=users[who])
    assert Article.objects.get(pk=article.pk).version == 1 and Article.objects.count() == 1


def test_an_end_before_the_start_is_refused(users, cat):
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        services.article_create(
            actor=users["admin"],
            kind="policy",
            title="x",
            body="y",
            category=cat("01"),
            effective_from=today,
            effective_to=today - timedelta(days=1),
        )
    assert refused.value.code == "invalid" and "effective_to" in refused.value.fields


def test_retire_and_restore_keep_the_versions(make_article, users):
    article = make_article()
    services.article_retire(article=article, actor=users["supervisor"])
    assert not Article.objects.get(pk=article.pk).is_active
    services.article_restore(article=article, actor=users["supervisor"])
    assert Article.objects.get(pk=article.pk).is_active
    assert ArticleVersion.objects.filter(article=article).count() == 1


def test_reads_and_uses_are_counted(make_article, make_template):
    article, template = make_article(), make_template()
    services.article_count_read(article=article)
    services.article_count_read(article=article)
    services.template_count_use(template=template)
    article.refresh_from_db()
    template.refresh_from_db()
    assert (article.read_count, template.use_count) == (2, 1)
