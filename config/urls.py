from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import bench, views
from .observability import views as observability

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", observability.metrics, name="metrics"),  # Prometheus; not public (README)
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("config.api_urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("workorders.intake.urls")),
    path("", include("workorders.urls")),
    path("", include("workorders.stats.urls")),
    path("", include("accounts.urls")),
]
if bench.enabled():  # the benchmark's reference views, never in a normal run
    urlpatterns.append(path("bench/", include(bench)))
# No route serves MEDIA_ROOT, in either run mode: stored files (attachments, exports, reports) are
# answered only by views that check the caller's scope (config.protected_media).

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
