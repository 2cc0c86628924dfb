"""Outage API routes; installed by ``path("", include("workorders.outages.api_urls"))`` in
config/api_urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("outages/", api.OutageListCreateApi.as_view(), name="api-outages"),
    path("outages/<int:pk>/", api.OutageDetailApi.as_view(), name="api-outage"),
    path("outages/<int:pk>/link/", api.OutageLinkApi.as_view(), name="api-outage-link"),
    path("outages/<int:pk>/bulk/<str:action>/", api.OutageBulkApi.as_view(), name="api-outage-bulk"),
]
