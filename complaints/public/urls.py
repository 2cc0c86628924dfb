"""The public pages of the customer's side (``/track/``, ``/complain/``)."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("track/", views.track_view, name="track"),
    path("complain/", views.complain_view, name="complain"),
]
