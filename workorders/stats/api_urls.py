from django.urls import path

from . import api

urlpatterns = [
    path("stats/summary/", api.StatsSummaryApi.as_view(), name="api-stats-summary"),
    path("stats/pivot/", api.StatsPivotApi.as_view(), name="api-stats-pivot"),
    path("exports/", api.ExportListApi.as_view(), name="api-exports"),
    path("exports/<int:pk>/", api.ExportDetailApi.as_view(), name="api-export"),
    path("exports/<int:pk>/download/", api.ExportDownloadApi.as_view(), name="api-export-download"),
]
