"""GET /api/v1/knowledge/articles/ and /templates/ (design.md, "Second stage"): the effective,
active entries that apply to a category (its own and its ancestors'), searched by text."""

from rest_framework import generics

from .filters import ArticleFilter, ReplyTemplateFilter
from .models import Article, ReplyTemplate
from .serializers import ArticleSerializer, ReplyTemplateSerializer


class ArticleListApi(generics.ListAPIView):
    """Knowledge articles: ``?category=<leaf id or code>&q=…&kind=…``; a plain list (no pages)."""

    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    pagination_class = None

    def get_queryset(self):
        return Article.objects.all()


class ReplyTemplateListApi(generics.ListAPIView):
    """Reply templates: ``?category=…&stage=intake|reply|callback&q=…``; bodies with their
    placeholders as written (the order page fills them for its order)."""

    serializer_class = ReplyTemplateSerializer
    filterset_class = ReplyTemplateFilter
    pagination_class = None

    def get_queryset(self):
        return ReplyTemplate.objects.all()
