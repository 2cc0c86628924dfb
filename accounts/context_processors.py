"""Navigation for the base layout: each role sees only the entries it may use."""
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import Role

# (url name, label, roles that see it; None = everyone signed in). Later issues add entries here.
NAVIGATION = [
    ("home", _("Home"), None),
    ("admin:index", _("Administration"), {Role.ADMIN}),
    ("dashboard", _("Dashboard"), {Role.ADMIN, Role.MANAGER, Role.SUPERVISOR}),
    ("swagger-ui", _("API"), {Role.ADMIN, Role.MANAGER}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, roles in NAVIGATION:
        if roles is not None and not (user.roles & roles):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path == url})
    return {"nav_items": items}
