from django.urls import path

from . import api

urlpatterns = [
    path("complaints/", api.ComplaintCreateApi.as_view(), name="api-complaints"),
    path("customers/", api.CustomerLookupApi.as_view(), name="api-customers"),
]
