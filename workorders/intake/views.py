"""Work-order pages: the lists and queues, the order detail and one POST per lifecycle action.

Every read goes through ``workorders_visible_to`` (outside scope is 404), every change through
``lifecycle.perform``; the action forms are those of ``available_actions``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import LOOKUP_ROLES
from complaints.models import Channel
from complaints.selectors import category_tree
from config.errors import DomainError, page_refusal
from config.protected_media import protected_file_response

from .context_processors import queue_items
from .filters import WorkOrderFilter
from .forms import action_fields, form_data
from .lifecycle import ACTIONS, available_actions, perform
from .models import ContactMethod, Level, Satisfaction, Status, Truthfulness
from .queues import (
    NEAR_DEADLINE,
    QUEUES,
    late_badges,
    queue_counts_forget,
    queue_orders,
    queues_for,
    with_due,
    with_late_stages,
)
from .rules import workorder_duplicates
from .selectors import (
    LIST_REFS,
    attachment_get,
    workorder_events,
    workorder_get,
    workorder_list,
    workorders_visible_to,
)
from .serializers import WorkOrderDetailSerializer

PAGE_SIZE = 25
SORTS = {
    "-received_at": gettext_lazy("Newest first"),
    "received_at": gettext_lazy("Oldest first"),
}  # both ride the (received_at, id) indexes
SIDE_SECTIONS = {"note", "attach"}  # actions with their own panel on the detail page
EVENT_LABELS = {
    "create": gettext_lazy("Created"),
    "merged_from": gettext_lazy("Duplicate merged in"),
    "deadline_warning": gettext_lazy("Deadline warning"),
    "deadline_breached": gettext_lazy("Deadline breached"),
    "deadline_escalated": gettext_lazy("Overdue order escalated"),
    "deadline_overdue": gettext_lazy("Deadline passed (the alert waits for office hours)"),
    "flags_changed": gettext_lazy("Risk flags changed"),
}
PAYLOAD_LABELS = {
    "comment": gettext_lazy("Comment"),
    "reason": gettext_lazy("Reason"),
    "method": gettext_lazy("Contact method"),
    "department_name": gettext_lazy("Department"),
    "category": gettext_lazy("Category"),
    "level": gettext_lazy("Level"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "reached": gettext_lazy("Customer reached"),
    "name": gettext_lazy("File"),
    "into_tracking_no": gettext_lazy("Merged into"),
    "from_tracking_no": gettext_lazy("Merged from"),
    "requested_due_at": gettext_lazy("New due time"),
    "truthfulness": gettext_lazy("Truthfulness"),
    "count": gettext_lazy("Urges"),
    "attempt": gettext_lazy("Attempt"),
}


# --- helpers -------------------------------------------------------------------------------------


def time_left(order, now, *, overdue_now=False):
    """(css class, text) for the time an order has left: from its earliest running deadline
    (``next_due``, else the extension it was granted), not from the sticky ``is_overdue``.
    ``overdue_now`` (a stage of the order is overdue now) marks the order overdue in any case."""
    if order.status == Status.CLOSED:
        return "", ""
    due = getattr(order, "next_due", None) or order.extended_until
    if due is None:
        return ("overdue", _("Overdue")) if overdue_now else ("", "")
    if due <= now:
        return "overdue", _("Overdue by %(t)s") % {"t": _span(now - due)}
    left = due - now
    css = "overdue" if overdue_now else ("near" if left <= NEAR_DEADLINE else "")
    return css, _("%(t)s left") % {"t": _span(left)}


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": mins}
    return _("%(m)dm") % {"m": mins}


def _keyset(qs, sort, after):
    """Keyset pagination on (sort field, id): no OFFSET and no COUNT over the table."""
    field = sort.lstrip("-")
    desc = sort.startswith("-")
    qs = qs.order_by(sort, "-id" if desc else "id")
    if after:
        try:
            stamp, pk = after.rsplit("_", 1)
            stamp, pk = parse_datetime(stamp), int(pk)
        except ValueError:
            stamp = None
        if stamp is not None:
            op = "lt" if desc else "gt"
            qs = qs.filter(Q(**{f"{field}__{op}": stamp}) | Q(**{field: stamp, f"id__{op}": pk}))
    return qs


def _cursor(order, sort):
    value = getattr(order, sort.lstrip("-"))
    return f"{value.isoformat()}_{order.pk}"


def _decorate(orders, now):
    """What a list row shows besides the fields: late stages (one query for the page), time left."""
    with_late_stages(orders)
    for order in orders:
        order.time_class, order.time_text = time_left(
            order, now, overdue_now=bool(order.late_stages["overdue"])
        )
        order.attempts_left = max(settings.CALLBACK_MAX_ATTEMPTS - order.callback_attempts, 0)
    return orders


# --- lists ---------------------------------------------------------------------------------------


@login_required
def workorder_list_view(request):
    user, now = request.user, timezone.now()
    queue_code = request.GET.get("queue", "")
    queue = QUEUES.get(queue_code)
    if queue is not None and not user.roles & queue.roles:
        queue = None
    qs = queue_orders(user, queue.code, now=now) if queue else workorder_list(user)
    qs = qs.select_related("complaint").prefetch_related(*LIST_REFS)  # see selectors.workorder_list
    params = request.GET.copy()
    params.pop("after", None)
    filterset = WorkOrderFilter(params, queryset=qs, request=request)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    sort = request.GET.get("sort", "-received_at")
    if sort not in SORTS:
        sort = "-received_at"
    qs = _keyset(with_due(qs), sort, request.GET.get("after", ""))
    rows = list(qs[: PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = _decorate(rows[:PAGE_SIZE], now)
    next_query = None
    if has_next:
        nq = params.copy()
        nq["after"] = _cursor(rows[-1], sort)
        next_query = nq.urlencode()
    first_query = params.urlencode()
    count = None
    if queue:  # the queue's size in its header: its badge's count (kept a few seconds, "99+" past 99)
        count = next((q["count_label"] for q in queue_items(request, user) if q["code"] == queue.code), None)
    title = queue.label if queue else _("Work orders")
    context = {
        "orders": rows,
        "queue": queue,
        "queue_count": count,
        "title": title,
        "sorts": SORTS,
        "sort": sort,
        "statuses": Status.choices,
        "levels": Level.choices,
        "channels": Channel.choices,
        "selected_status": request.GET.getlist("status"),
        "selected_level": request.GET.getlist("level"),
        "search": request.GET.get("search", ""),
        "overdue": request.GET.get("overdue", ""),
        "next_query": next_query,
        "first_query": first_query,
        "is_later_page": bool(request.GET.get("after")),
        "my_queues": queues_for(user),
        "show_attempts": queue is not None and queue.code == "callback",
        "page_size": PAGE_SIZE,
    }
    template = (
        "workorders/_list_table.html"
        if request.htmx and request.htmx.target == "order-table"
        else "workorders/list.html"
    )
    return render(request, template, context)


# --- detail --------------------------------------------------------------------------------------


def _event_rows(events):
    rows = []
    for event in events:
        action = ACTIONS.get(event.action)
        label = action.label if action else EVENT_LABELS.get(event.action, event.action)
        details = [
            (PAYLOAD_LABELS[k], _payload_value(k, v))
            for k, v in (event.payload or {}).items()
            if k in PAYLOAD_LABELS and v not in ("", None)
        ]
        rows.append(
            {
                "event": event,
                "label": label,
                "details": details,
                "from": Status(event.from_status).label if event.from_status in Status.values else "",
                "to": Status(event.to_status).label if event.to_status in Status.values else "",
            }
        )
    return rows


def _payload_value(key, value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key == "level" and value in Level.values:
        return Level(value).label
    if key == "satisfaction":
        return Satisfaction(value).label if value in Satisfaction.values else value
    if key == "method":
        return ContactMethod(value).label if value in ContactMethod.values else value
    if key == "truthfulness":
        return Truthfulness(value).label if value in Truthfulness.values else value
    if key == "requested_due_at" and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed:
            return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")
    return value


# What the deadline table says of each row (its ``deadlines.reads.deadline_state``), and its style.
DEADLINE_STATES = {
    "open": gettext_lazy("Running"),
    "warning": gettext_lazy("Near deadline"),
    "breached": gettext_lazy("Overdue now"),
    "paused": gettext_lazy("Held: extension pending"),
    "met": gettext_lazy("On time"),
    "met_late": gettext_lazy("Late by %(t)s"),
    "cancelled": gettext_lazy("Cancelled"),
    "cancelled_late": gettext_lazy("Cancelled while overdue"),
}
DEADLINE_CLASSES = {
    "warning": "near",
    "breached": "overdue",
    "paused": "held",
    "met": "ontime",
    "met_late": "late",
    "cancelled_late": "late",
}


def _local(value):
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M") if parsed else (value or "")


def _moment(value):
    return parse_datetime(value) if isinstance(value, str) else value


def _deadline_rows(deadlines: list[dict]) -> list[dict]:
    """The order's deadlines (one ``deadlines.reads.deadline_entry`` each) as table rows: each
    marked on time, late (met after its due time, by how long), overdue now, held (an extension
    request waits) or running."""
    rows = []
    for item in deadlines:
        state, left = item["state"], item["seconds_left"]
        if left is not None:
            left = (
                (_("%(t)s left") % {"t": _span(timedelta(seconds=left))})
                if left > 0
                else (_("Overdue by %(t)s") % {"t": _span(timedelta(seconds=-left))})
            )
        if state == "cancelled" and item.get("breached_at"):
            state = "cancelled_late"
        label = DEADLINE_STATES.get(state, state)
        met, due = _moment(item.get("met_at")), _moment(item.get("due_at"))
        if state == "met_late":
            label = label % {"t": _span(met - due) if met and due else "—"}
        rows.append(
            {
                "stage_code": item["stage"],
                "stage": item["stage_display"],
                "cycle": item.get("cycle") or 0,
                "due": _local(item["due_at"]),
                "met": _local(item.get("met_at")),
                "left": left or "",
                "state": label,
                "state_code": state,
                "css": DEADLINE_CLASSES.get(state, ""),
            }
        )
    return rows


def _merge_choices(fields, order, user):
    """Offer the likely duplicates (open orders of the same customer in scope) instead of a bare id."""
    candidates = workorder_duplicates(order).filter(pk__in=workorders_visible_to(user).values("pk"))[:20]
    choices = [
        (str(o.pk), f"{o.tracking_no} · {o.get_status_display()} · {o.received_at:%Y-%m-%d}")
        for o in candidates
    ]
    for spec in fields:
        if spec.name == "into" and choices:
            spec.widget, spec.choices = "select", choices


def _initial(order, code):
    """What an action form starts with: the order's current values where the action edits them."""
    if code == "classify":
        return {"category": order.category_id, "level": order.level, "channel": order.channel}
    return {}


def _detail_context(request, order, *, failed=None, data=None, errors=None, message=None, level="danger"):
    user = request.user
    prefetch_related_objects([order], "attachments", "extension_requests")  # serializer and page
    serialized = WorkOrderDetailSerializer(order, context={"request": request}).data
    forms = []
    side = {}
    for action in available_actions(order, user, keep=failed):
        is_failed = failed == action.code
        entry = {
            "action": action,
            "code": action.code,
            "label": action.label,
            "destructive": action.destructive,
            "fields": action_fields(
                action,
                user,
                data=data if is_failed else None,
                errors=errors if is_failed else None,
                initial=_initial(order, action.code),
            ),
            "open": is_failed,
            "non_field_errors": (errors or {}).get("non_field_errors", []) if is_failed else [],
        }
        if action.code == "merge":
            _merge_choices(entry["fields"], order, user)
        if action.code in SIDE_SECTIONS:
            side[action.code] = entry
        else:
            forms.append(entry)
    # The main action first (open), destructive ones last.
    forms.sort(key=lambda entry: entry["destructive"])
    now = timezone.now()
    # The header shows the late stages, not the sticky flag (the serializer loaded the rows).
    order.late_stages = serialized["late_stages"]
    order.late_badges = late_badges(order.late_stages)
    order.next_due = min(
        (row.due_at for row in order.deadlines.all() if row.is_open and row.held_since is None),
        default=None,
    )
    time_class, time_text = time_left(order, now, overdue_now=bool(order.late_stages["overdue"]))
    events = list(workorder_events(order))
    notes = [e for e in events if e.action == "note"]
    return {
        "order": order,
        "complaint": order.complaint,
        "data": serialized,
        "forms": forms,
        "side": side,
        "events": _event_rows(events),
        # What the serializer loaded (one query each), in the order the page lists them.
        "attachments": sorted(order.attachments.all(), key=lambda a: (a.created_at, a.pk)),
        "extension_requests": sorted(
            order.extension_requests.all(), key=lambda r: (r.created_at, r.pk), reverse=True
        ),
        "deadlines": _deadline_rows(serialized["deadlines"]),
        "notes": notes,
        "time_class": time_class,
        "time_text": time_text,
        "categories": category_tree() if any(f["code"] == "classify" for f in forms) else None,
        "flash": message,
        "flash_level": level,
        "can_open_customer": user.has_role(*LOOKUP_ROLES),
    }


@login_required
def workorder_detail_view(request, pk):
    order = workorder_get(request.user, pk)
    if order is None:
        raise Http404(_("Work order not found."))
    return render(request, "workorders/detail.html", _detail_context(request, order))


@login_required
@require_POST
def workorder_action_view(request, pk, code):
    """Apply one action through ``lifecycle.perform``; answer the refreshed detail (HTMX) or redirect."""
    user = request.user
    order = workorder_get(user, pk)
    action = ACTIONS.get(code)
    if order is None or action is None:
        raise Http404(_("Work order not found."))
    data = form_data(action, request.POST, request.FILES)
    version = request.POST.get("version") or None
    try:
        perform(
            order.pk,
            code,
            actor=user,
            version=int(version) if version and version.isdigit() else None,
            data=data,
        )
    except DomainError as exc:
        message, errors = page_refusal(exc)  # not_found: 404
        fresh = workorder_get(user, pk)
        if exc.code == "stale_version":
            message = _(
                "Someone else changed this order while you were looking at it. "
                "Here it is as it is now; check it and try again."
            )
            return _answer(
                request, fresh, message=message, level="warning", failed=code, data=request.POST, errors={}
            )
        return _answer(
            request, fresh, message=message, failed=code, data=request.POST, errors=errors, status=400
        )
    queue_counts_forget(user)  # the badges show this action on the next page
    fresh = workorder_get(user, pk)
    done = _("%(action)s: done.") % {"action": action.label}
    if fresh is None:  # no longer in scope (e.g. returned by a handler of another team)
        messages.success(request, done)
        target = reverse("workorders:list")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    if request.htmx:
        return _answer(request, fresh, message=done, level="success")
    messages.success(request, done)
    return redirect("workorders:detail", pk=pk)


def _answer(request, order, *, status=200, **kwargs):
    context = _detail_context(request, order, **kwargs)
    template = "workorders/_detail_body.html" if request.htmx else "workorders/detail.html"
    # HTMX swaps only 2xx answers by default; errors are part of the page, so answer 200 to HTMX.
    return render(request, template, context, status=200 if request.htmx else status)


@login_required
def attachment_download(request, pk):
    """An attachment's file, for a user who may see its order (else 404); never a public URL."""
    attachment = attachment_get(request.user, pk)
    if attachment is None:
        raise Http404
    return protected_file_response(attachment.file, filename=attachment.original_name)
