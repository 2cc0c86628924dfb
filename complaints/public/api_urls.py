"""The public API of the customer's side (``/api/v1/public/``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("track/", api.PublicTrackApi.as_view(), name="api-public-track"),
]
