"""Outage pages (``/outages/``). Installed by ``path("", include("workorders.outages.urls"))``."""

from django.urls import path

from . import views

app_name = "outages"

urlpatterns = [
    path("outages/", views.outage_list_view, name="list"),
    path("outages/new/", views.outage_create_view, name="create"),
    path("outages/suggest/", views.outage_suggest_view, name="suggest"),
    path("outages/order/<int:pk>/", views.order_box_view, name="order_box"),
    path("outages/<int:pk>/", views.outage_detail_view, name="detail"),
    path("outages/<int:pk>/link/", views.outage_link_view, name="link"),
    path("outages/<int:pk>/bulk/<str:action>/", views.outage_bulk_view, name="bulk"),
]
