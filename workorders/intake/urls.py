"""The agent's workbench pages. Their URL names keep the ``complaints:`` namespace they were born in."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("intake/", views.intake_view, name="intake"),
    path("intake/drafts/<int:pk>/", views.draft_edit_view, name="draft"),
    path("intake/lookup/", views.customer_lookup_view, name="lookup"),
    path("intake/urge/<int:pk>/", views.intake_urge_view, name="urge"),
    path("customers/<int:pk>/", views.customer_detail_view, name="customer"),
    path("search/", views.search_view, name="search"),
]
