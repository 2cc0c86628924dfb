"""The role queues beside the navigation: each with its count, computed only when a page shows them."""

from django.urls import reverse

from .queues import queue_counts


def queues(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"queue_items": lambda: queue_items(request, user)}


def queue_items(request, user):
    """The user's role queues with their counts (evaluated only when a page shows them, once)."""
    if hasattr(request, "_queue_items"):
        return request._queue_items
    url = reverse("workorders:list")
    current = request.GET.get("queue") if request.path == url else None
    request._queue_items = [
        {**q, "url": f"{url}?queue={q['code']}", "active": q["code"] == current} for q in queue_counts(user)
    ]
    return request._queue_items
