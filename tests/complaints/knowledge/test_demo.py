"""The demo knowledge base: articles and templates for the common categories, seeded once."""

import pytest

from complaints.knowledge.demo import seed_knowledge
from complaints.knowledge.models import Article, ArticleVersion, ReplyTemplate
from complaints.knowledge.selectors import article_search, template_search

pytestmark = pytest.mark.django_db


def test_seeding_twice_creates_once_and_covers_the_common_categories(cat):
    first = seed_knowledge()
    second = seed_knowledge()
    assert first["articles"] == Article.objects.count() >= 8
    assert first["templates"] == ReplyTemplate.objects.count() >= 8
    assert second == {"articles": 0, "templates": 0}
    # low voltage, an outage, billing and staff attitude each find articles and every stage's texts
    for code in ("040101", "030201", "020402", "010101"):
        assert article_search(category=cat(code)).exists(), code
    for code, stage in [
        ("040101", "intake"),
        ("040101", "reply"),
        ("040101", "callback"),
        ("030201", "reply"),
    ]:
        assert template_search(category=cat(code), stage=stage).exists(), (code, stage)
    # one article shows a history
    assert ArticleVersion.objects.filter(version=2).exists()
