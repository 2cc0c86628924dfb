"""Navigation for the base layout: each role sees only the entries it may use.

The role queues beside it come from ``workorders.context_processors.queues``.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .roles import INTAKE_ROLES, STATISTICS_ROLES, Role

# (url name, label, roles that see it; None = everyone signed in). Later issues add entries here;
# an entry whose URL is not installed is left out.
NAVIGATION = [
    ("home", _("Home"), None),
    ("complaints:intake", _("New complaint"), INTAKE_ROLES),
    ("workorders:list", _("Work orders"), None),
    ("knowledge:index", _("Knowledge base"), None),
    ("outages:list", _("Outages"), {Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}),
    ("quality:index", _("Quality inspection"), None),
    ("admin:index", _("Administration"), {Role.ADMIN}),
    ("dashboard", _("Dashboard"), STATISTICS_ROLES),
    ("swagger-ui", _("API"), {Role.ADMIN, Role.MANAGER}),
    ("notifications:inbox", _("Notifications"), None),
]
# url name → dotted path of a function(user) → count shown as a badge on that entry.
BADGES = {"notifications:inbox": "notifications.selectors.unread_count"}


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
        badge = import_string(BADGES[url_name])(user) if url_name in BADGES else None
        active = request.path == url and "queue" not in request.GET
        items.append({"url": url, "label": label, "active": active, "badge": badge})
    return {"nav_items": items}
