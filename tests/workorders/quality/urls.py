"""The project's URLs plus the quality pages and API (until config/urls.py and config/api_urls.py
include them)."""

from django.urls import include, path

from config import urls as project

handler400, handler403 = project.handler400, project.handler403
handler404, handler500 = project.handler404, project.handler500

urlpatterns = [
    path("quality/", include("workorders.quality.urls")),
    path("api/v1/", include("workorders.quality.api_urls")),
    *project.urlpatterns,
]
