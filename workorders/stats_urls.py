from django.urls import path

from . import stats_views

urlpatterns = [
    path("dashboard/", stats_views.dashboard, name="dashboard"),
    path("dashboard/pivot/", stats_views.pivot, name="stats-pivot"),
    path("reports/", stats_views.report_list, name="stats-reports"),
    path("reports/subscribe/", stats_views.report_subscribe, name="stats-report-subscribe"),
    path("reports/<int:pk>/", stats_views.report_detail, name="stats-report"),
    path("reports/<int:pk>/download/", stats_views.report_download, name="stats-report-download"),
    path("exports/", stats_views.export_list, name="stats-exports"),
    path("exports/new/", stats_views.export_create, name="stats-export-create"),
    path("exports/<int:pk>/", stats_views.export_detail, name="stats-export"),
    path("exports/<int:pk>/download/", stats_views.export_download, name="stats-export-download"),
]
