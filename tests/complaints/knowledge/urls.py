"""The project's URLs plus the knowledge base's, for the tests until config/urls.py and
config/api_urls.py mount them (then this module is equivalent and may go)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("knowledge/", include("complaints.knowledge.urls")),
    path("api/v1/knowledge/", include("complaints.knowledge.api_urls")),
    *project_urlpatterns,
]
