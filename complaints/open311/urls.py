"""``/open311/v2/``: services, requests (JSON and XML); see the package docstring."""

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[\w-]{1,20})" + FMT, views.service_definition, name="service-definition"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[\w-]{1,32})" + FMT, views.service_request, name="request"),
    re_path(r"^(?P<path>.*?)(?:\.(?P<fmt>json|xml))?$", views.not_found, name="not-found"),
]
