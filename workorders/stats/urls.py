from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/pivot/", views.pivot, name="stats-pivot"),
    path("reports/", views.report_list, name="stats-reports"),
    path("reports/subscribe/", views.report_subscribe, name="stats-report-subscribe"),
    path("reports/generate/", views.report_generate_now, name="stats-report-generate"),
    path("reports/<int:pk>/", views.report_detail, name="stats-report"),
    path("reports/<int:pk>/download/", views.report_download, name="stats-report-download"),
    path("exports/", views.export_list, name="stats-exports"),
    path("exports/new/", views.export_create, name="stats-export-create"),
    path("exports/<int:pk>/", views.export_detail, name="stats-export"),
    path("exports/<int:pk>/download/", views.export_download, name="stats-export-download"),
]
