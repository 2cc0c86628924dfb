from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.knowledge import services
from complaints.knowledge.models import ArticleKind, TemplateStage
from complaints.models import Category


@pytest.fixture
def cat(db):
    """cat("040101") → the Category of that code (the migrated tree)."""
    return lambda code: Category.objects.get(code=code)


@pytest.fixture
def make_article(users, cat):
    """make_article(code, title, body=..., **fields) as the supervisor (a past start date)."""

    def make(code="040101", title="低电压投诉受理要点", body="现场测量电压", **fields):
        fields.setdefault("kind", ArticleKind.PROCEDURE)
        fields.setdefault("effective_from", timezone.localdate() - timedelta(days=30))
        return services.article_create(
            actor=users["supervisor"], title=title, body=body, category=cat(code), **fields
        )

    return make


@pytest.fixture
def make_template(users, cat):
    def make(
        code="040101", title="低电压处理答复", body="{customer_name}您好", stage=TemplateStage.REPLY, **fields
    ):
        fields.setdefault("effective_from", timezone.localdate() - timedelta(days=30))
        return services.template_create(
            actor=users["supervisor"], title=title, body=body, category=cat(code), stage=stage, **fields
        )

    return make
