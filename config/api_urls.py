"""Every /api/v1/ route, collected from the apps."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("complaints.api_urls")),
    path("", include("workorders.intake.api_urls")),
    path("", include("workorders.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("workorders.stats.api_urls")),
    path("public/", include("complaints.public.api_urls")),
    path("knowledge/", include("complaints.knowledge.api_urls")),
    path("", include("workorders.outages.api_urls")),
    path("", include("workorders.quality.api_urls")),
]
