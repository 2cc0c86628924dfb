from django.urls import path

from . import stats_api

urlpatterns = [
    path("stats/summary/", stats_api.StatsSummaryApi.as_view(), name="api-stats-summary"),
    path("stats/pivot/", stats_api.StatsPivotApi.as_view(), name="api-stats-pivot"),
    path("exports/", stats_api.ExportListApi.as_view(), name="api-exports"),
    path("exports/<int:pk>/", stats_api.ExportDetailApi.as_view(), name="api-export"),
    path("exports/<int:pk>/download/", stats_api.ExportDownloadApi.as_view(), name="api-export-download"),
]
