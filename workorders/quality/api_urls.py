"""Mounted at /api/v1/ by config/api_urls.py: ``path("", include("workorders.quality.api_urls"))``."""

from django.urls import path

from .api import InspectionViewSet

urlpatterns = [
    path("inspections/", InspectionViewSet.as_view({"get": "list"}), name="api-inspections"),
    path("inspections/<int:pk>/", InspectionViewSet.as_view({"get": "retrieve"}), name="api-inspection"),
    path(
        "inspections/<int:pk>/score/",
        InspectionViewSet.as_view({"post": "score"}),
        name="api-inspection-score",
    ),
    path(
        "inspections/<int:pk>/appeal/",
        InspectionViewSet.as_view({"post": "appeal"}),
        name="api-inspection-appeal",
    ),
    path(
        "inspections/<int:pk>/decide/",
        InspectionViewSet.as_view({"post": "decide"}),
        name="api-inspection-decide",
    ),
]
