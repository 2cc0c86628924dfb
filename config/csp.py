"""Where the Content-Security-Policy is relaxed, and why (the policy: CONTENT_SECURITY_POLICY in settings).

The application's own pages need no exception: templates/ hold no inline script, no inline style,
no style attribute and no event-handler attribute (tests/config/test_csp.py scans them), and their
behaviour lives in static/js. Third-party pages that carry inline styles get exactly what they need:

- The API docs pages (applied in config/urls.py): Swagger UI's page has a <style> element
  (``SWAGGER_UI_POLICY``); its init script is served as a file (SpectacularSwaggerSplitView), so
  scripts stay 'self'. ReDoc injects its styles at run time and runs its search in a worker made
  from a blob: URL (``REDOC_POLICY``). ReDoc's "API docs by Redocly" logo, an image on
  cdn.redoc.ly, stays refused (the only asset not vendored; ReDoc hides it when it fails to load),
  and its page loads no Google Fonts (templates/drf_spectacular/redoc.html).
- DRF's browsable API (a response rendered by BrowsableAPIRenderer): its templates use style
  attributes and a <style> element for code highlighting (``BROWSABLE_API_POLICY``).

Nothing relaxes script-src: no page needs 'unsafe-inline' or 'unsafe-eval' for scripts.
"""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from rest_framework.renderers import BrowsableAPIRenderer

UNSAFE_INLINE = "'unsafe-inline'"

SWAGGER_UI_POLICY = {"style-src": [UNSAFE_INLINE]}
REDOC_POLICY = {"style-src": [UNSAFE_INLINE], "worker-src": ["'self'", "blob:"]}
BROWSABLE_API_POLICY = {"style-src": [UNSAFE_INLINE]}


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, which also relaxes the policy for DRF's browsable API pages."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if isinstance(getattr(response, "accepted_renderer", None), BrowsableAPIRenderer):
            update = dict(parts.update or {})
            for directive, sources in BROWSABLE_API_POLICY.items():
                update[directive] = [*update.get(directive, []), *sources]  # django-csp drops repeats
            parts.update = update
        return parts
