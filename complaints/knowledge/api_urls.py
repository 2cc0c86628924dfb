"""Mounted at /api/v1/knowledge/ (config/api_urls.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("articles/", api.ArticleListApi.as_view(), name="api-knowledge-articles"),
    path("templates/", api.ReplyTemplateListApi.as_view(), name="api-knowledge-templates"),
]
