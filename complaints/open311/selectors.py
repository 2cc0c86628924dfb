"""Open311 reads: the services (category leaves) and the requests a client may read.

**Scope.** A client reads only the requests it filed itself: the orders whose "received by" is its
service account (``accounts.Open311Client.user``). Not the other orders of its channel: a 12345
complaint taken by an agent on the phone, or filed by another platform, is none of its business.
A request outside that scope answers exactly as one that does not exist.

**What a request shows** (the platform filed it, so it may see what it sent): the status
(``open``/``closed``), the category, the complaint text and the address as filed, the handling
unit's name, the times of receipt and of the last change, and ``status_notes``: the reply to the
customer once a supervisor approved it (never the draft reply under review, never after a reopen
until the new reply is approved); an order closed without such a reply shows its outcome in plain
words. Never a staff name, the customer's name or phone, internal notes or the level.
"""

from django.db.models import QuerySet
from django.utils import timezone

from complaints.models import Category
from workorders.models import Outcome, Status, WorkOrder

MAX_REQUESTS = 1000  # the spec's ceiling for one answer
DEFAULT_WINDOW_DAYS = 90  # the spec's default window and longest range


def w3c(value) -> str | None:
    """A W3C datetime in the centre's time zone: 2026-12-03T18:22:05+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- services ------------------------------------------------------------------------------------


def service_leaves() -> list[Category]:
    """The active leaves of the category tree (no active children), each with ``path``: its
    ancestors from level 1 down, itself included. One query: the tree is small."""
    nodes = list(Category.objects.filter(is_active=True).order_by("code"))
    by_id = {node.pk: node for node in nodes}
    parents = {node.parent_id for node in nodes if node.parent_id}
    leaves = []
    for node in nodes:
        if node.pk in parents:
            continue
        path, cursor = [], node
        while cursor is not None:
            path.append(cursor)
            cursor = by_id.get(cursor.parent_id) if cursor.parent_id else None
        if path[-1].level != 1:  # below an inactive branch: not offered
            continue
        node.path = list(reversed(path))
        leaves.append(node)
    return leaves


def service_leaf(code: str) -> Category | None:
    return next((leaf for leaf in service_leaves() if leaf.code == code), None)


def service_representation(leaf: Category) -> dict:
    """One service of ``services.json``, in the active language."""
    names = [node.display_name for node in leaf.path]
    return {
        "service_code": leaf.code,
        "service_name": leaf.display_name,
        "description": " / ".join(names),
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(word for word in dict.fromkeys([*names, leaf.name, leaf.name_en]) if word),
        "group": names[0],
    }


# --- requests ------------------------------------------------------------------------------------


def requests_of(client) -> QuerySet[WorkOrder]:
    """Every order ``client`` may read (see the module docstring): the ones it filed."""
    if client is None or client.user_id is None:
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(received_by_id=client.user_id).select_related(
        "complaint", "category", "department", "unit"
    )


def status_notes(order: WorkOrder) -> str | None:
    """The approved reply; for an order closed without one, its outcome in plain words."""
    if order.approved_at is not None and order.reply:
        return order.reply
    if order.status == Status.CLOSED and order.outcome:
        return str(Outcome(order.outcome).label)
    return None


def request_representation(order: WorkOrder) -> dict:
    """One request of ``requests.json``, in the active language (see the module docstring)."""
    complaint = order.complaint
    agency = order.department or order.unit
    return {
        "service_request_id": order.tracking_no,
        "status": "closed" if order.status == Status.CLOSED else "open",
        "status_notes": status_notes(order),
        "service_name": order.category.display_name if order.category_id else None,
        "service_code": order.category.code if order.category_id else None,
        "description": complaint.content,
        "agency_responsible": agency.name if agency is not None else None,
        "service_notice": None,
        "requested_datetime": w3c(order.received_at),
        "updated_datetime": w3c(order.updated_at),
        "expected_datetime": None,
        "address": complaint.address,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
