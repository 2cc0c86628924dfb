from functools import wraps

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import bench, views
from .csp import REDOC_POLICY, SWAGGER_UI_POLICY
from .observability import views as observability


def api_docs_page(view, policy):
    """An API docs page: anonymous users go to the login page, as the schema it shows needs a login
    (SPECTACULAR_SETTINGS SERVE_PERMISSIONS), unless API_DOCS_PUBLIC; its Content-Security-Policy
    is relaxed by ``policy`` (config/csp.py) on this page only."""
    view = csp_update(policy)(view)
    protected = login_required(view)

    @wraps(view)
    def page(request, *args, **kwargs):
        return (view if settings.API_DOCS_PUBLIC else protected)(request, *args, **kwargs)

    return page


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", observability.metrics, name="metrics"),  # Prometheus; not public (README)
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's init script is a file of its own (the split view), not an inline script.
    path(
        "api/docs/",
        api_docs_page(SpectacularSwaggerSplitView.as_view(url_name="schema"), SWAGGER_UI_POLICY),
        name="swagger-ui",
    ),
    path(
        "api/redoc/",
        api_docs_page(SpectacularRedocView.as_view(url_name="schema"), REDOC_POLICY),
        name="redoc",
    ),
    path("api/v1/", include("config.api_urls")),
    path("notifications/", include("notifications.urls")),
    # The customer's side (issue 15): public, no session needed.
    path("", include("complaints.public.urls")),
    path("", include("complaints.public.survey_urls")),
    path("open311/v2/", include("complaints.open311.urls")),
    path("knowledge/", include("complaints.knowledge.urls")),
    path("", include("workorders.outages.urls")),
    path("quality/", include("workorders.quality.urls")),
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
