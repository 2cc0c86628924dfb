from django.urls import path

from . import api

urlpatterns = [
    path("categories/", api.CategoryListApi.as_view(), name="api-categories"),
]
