"""The quality pages, mounted at /quality/ by config/urls.py:
``path("quality/", include("workorders.quality.urls"))``."""

from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.quality_index, name="index"),
    path("results/", views.quality_results, name="results"),
    path("<int:pk>/", views.quality_detail, name="detail"),
    path("<int:pk>/score/", views.quality_score, name="score"),
    path("<int:pk>/appeal/", views.quality_appeal, name="appeal"),
    path("<int:pk>/decide/", views.quality_decide, name="decide"),
]
