"""The project's URLs plus the outage ones, until the lead installs them in config/urls.py and
config/api_urls.py (tests use ``@pytest.mark.urls("tests.workorders.outages.urls")``)."""

from django.urls import include, path

from config.urls import urlpatterns as project

urlpatterns = [
    path("", include("workorders.outages.urls")),
    path("api/v1/", include("workorders.outages.api_urls")),
    *project,
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
