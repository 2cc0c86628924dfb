from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenApi.as_view(), name="api-token"),
    path("auth/logout/", api.LogoutApi.as_view(), name="api-logout"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("departments/", api.DepartmentListApi.as_view(), name="api-departments"),
]
