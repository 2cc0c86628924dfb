"""Work-order pages: the lists and queues, the order detail and one POST per lifecycle action.

Every read goes through ``workorders_visible_to`` (outside scope is 404), every change through
``lifecycle.perform``; the action forms are those of ``available_actions``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.roles import LOOKUP_ROLES, Role
from complaints.knowledge.selectors import template_offer
from complaints.models import Channel, mask_phone
from complaints.selectors import category_tree
from config.errors import DomainError, page_refusal
from config.protected_media import protected_file_response

from .context_processors import queue_items
from .filter_labels import filter_chips
from .filters import WorkOrderFilter
from .forms import _department_choices as department_choices
from .forms import action_fields, form_data
from .lifecycle import ACTIONS, available_actions, done_message, next_step, perform
from .models import (
    ContactMethod,
    DissatisfactionReason,
    ExtensionRequest,
    Level,
    Satisfaction,
    Stage,
    Status,
    Truthfulness,
    level_up,
)
from .queues import (
    NEAR_DEADLINE,
    QUEUES,
    due_class,
    due_share,
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
    contact_visible,
    department_suggestion,
    handler_department_ids,
    handlers_by_department,
    workorder_events,
    workorder_get,
    workorder_list,
    workorders_visible_to,
)
from .serializers import WorkOrderDetailSerializer
from .services import BULK_ASSIGN_MAX, workorders_assign_bulk
from .stats.exports import can_export

PAGE_SIZE = 25
SORTS = {
    "-received_at": gettext_lazy("Newest first"),
    "received_at": gettext_lazy("Oldest first"),
}  # both ride the (received_at, id) indexes
# A queue is a status's subset: it is listed by what falls due first (its open deadlines probed per
# order of the subset, ``queues.with_due``), overdue first, orders without a running clock last.
DUE_SORT = "due"
QUEUE_SORTS = {DUE_SORT: gettext_lazy("Due soonest first"), **SORTS}
# The list form's own fields: any other active filter (a dashboard drill-down's department, unit,
# category, dates) rides along as a hidden field, so refining the list keeps it (issue 14).
FORM_FIELDS = {"search", "status", "level", "overdue", "sort", "queue", "after"}
SNIPPET_CHARS = 40
SIDE_SECTIONS = {"note", "attach"}  # actions with their own panel on the detail page
EVENT_LABELS = {
    "create": gettext_lazy("Created"),
    "merged_from": gettext_lazy("Duplicate merged in"),
    "deadline_warning": gettext_lazy("Deadline warning"),
    "deadline_breached": gettext_lazy("Deadline breached"),
    "deadline_escalated": gettext_lazy("Overdue order escalated"),
    "deadline_overdue": gettext_lazy("Deadline passed (the alert waits for office hours)"),
    "flags_changed": gettext_lazy("Risk flags changed"),
    "draft_edited": gettext_lazy("Draft edited"),
    "survey_answered": gettext_lazy("Customer answered the SMS survey"),
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
    "dissatisfaction_reason": gettext_lazy("Reason for dissatisfaction"),
    "approved": gettext_lazy("Approved"),  # an extension or a suspension (decide_extension, decide_suspend)
    "extended_until": gettext_lazy("Extended until"),
    "level_from": gettext_lazy("Level before"),
    "level_to": gettext_lazy("Level now"),
    "requirements": gettext_lazy("Requirements"),
    "opinion": gettext_lazy("Opinion"),
    "reply": gettext_lazy("Reply to the platform"),
    "evaluation": gettext_lazy("Platform's evaluation"),
    "source": gettext_lazy("Source"),
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
    started = _started(order, due)
    if overdue_now:
        css = "overdue"
    elif started is not None:  # coloured by the share of the limit used (queues.DUE_SHARE_STEPS)
        css = due_class(due_share(started, due, now))
    else:  # an extension's due time alone: no start to measure a share from
        css = "near" if left <= NEAR_DEADLINE else ""
    return css, _("%(t)s left") % {"t": _span(left)}


def _started(order, due):
    """When the clock counting down to ``due`` started: the list's ``next_started``
    (``queues.with_due``), else the running deadline row of that due time among the order's
    prefetched rows (the detail page); None when neither says."""
    started = getattr(order, "next_started", None)
    if started is not None and getattr(order, "next_due", None) == due:
        return started
    rows = getattr(order, "_prefetched_objects_cache", {}).get("deadlines")
    if rows is None:
        return None
    return next((row.started_at for row in rows if row.is_open and row.due_at == due), None)


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


def _keyset_due(qs, after):
    """Keyset pagination on (next due time, id), due soonest first and no due time last."""
    qs = qs.order_by(F("next_due").asc(nulls_last=True), "id")
    if not after:
        return qs
    try:
        stamp, pk = after.rsplit("_", 1)
        pk = int(pk)
    except ValueError:
        return qs
    if stamp == "none":
        return qs.filter(next_due__isnull=True, id__gt=pk)
    stamp = parse_datetime(stamp)
    if stamp is None:
        return qs
    return qs.filter(Q(next_due__gt=stamp) | Q(next_due=stamp, id__gt=pk) | Q(next_due__isnull=True))


def _cursor(order, sort):
    value = getattr(order, "next_due" if sort == DUE_SORT else sort.lstrip("-"))
    return f"{value.isoformat() if value else 'none'}_{order.pk}"


def _decorate(orders, now, user=None, *, phones=False):
    """What a list row shows besides the fields: late stages (one query for the page), time left,
    a snippet of the content and, in the callback queue, the customer's phone as the user may see
    it (masked where ``contact_visible`` says so)."""
    with_late_stages(orders)
    handler_depts = handler_department_ids(user) if phones and user is not None else None
    for order in orders:
        order.time_class, order.time_text = time_left(
            order, now, overdue_now=bool(order.late_stages["overdue"])
        )
        order.attempts_left = max(settings.CALLBACK_MAX_ATTEMPTS - order.callback_attempts, 0)
        order.snippet = " ".join((order.complaint.content or "").split())
        if phones:
            phone = order.complaint.phone
            shown = contact_visible(user, order, handler_depts=handler_depts)
            order.phone_shown = phone if shown else mask_phone(phone)
    return orders


# --- lists ---------------------------------------------------------------------------------------


BULK_ASSIGN_QUEUES = {"assign", "returned"}


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
    sorts = QUEUE_SORTS if queue else SORTS
    sort = request.GET.get("sort") or (DUE_SORT if queue else "-received_at")
    if sort not in sorts:
        sort = DUE_SORT if queue else "-received_at"
    if sort == DUE_SORT:
        qs = _keyset_due(with_due(qs), request.GET.get("after", ""))
    else:
        qs = _keyset(with_due(qs), sort, request.GET.get("after", ""))
    rows = list(qs[: PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    show_phone = queue is not None and queue.code == "callback"
    rows = _decorate(rows[:PAGE_SIZE], now, user, phones=show_phone)
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
    chips = filter_chips(params, base=params)
    bulk = queue is not None and queue.code in BULK_ASSIGN_QUEUES and user.has_role(Role.DISPATCHER)
    context = {
        "orders": rows,
        "queue": queue,
        "queue_count": count,
        "title": title,
        "sorts": sorts,
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
        "show_attempts": show_phone,
        "show_phone": show_phone,
        "page_size": PAGE_SIZE,
        "chips": chips,
        # the filters the form has no field for, kept as hidden fields (a drill-down's department)
        "carried": [(c["name"], c["raw"]) for c in chips if c["name"] not in _form_fields(queue)],
        # the list as it is filtered, for the export button (the same filter names as the list)
        "export_filters": [(c["name"], c["raw"]) for c in chips],
        "can_export": can_export(user) and queue is None,
        "bulk_assign": _bulk_assign_context(user) if bulk else None,
    }
    template = (
        "workorders/_list_table.html"
        if request.htmx and request.htmx.target == "order-table"
        else "workorders/list.html"
    )
    return render(request, template, context)


def _form_fields(queue) -> set[str]:
    return FORM_FIELDS - {"status"} if queue else FORM_FIELDS


def _bulk_assign_context(user) -> dict:
    return {
        "departments": department_choices(user),
        "handlers_json": handlers_by_department(user),
    }


@login_required
@require_POST
def workorder_bulk_assign_view(request):
    """Assign the orders ticked in a dispatcher's queue to one department (and handler) at once:
    each through ``lifecycle.perform`` with the version the page showed; the answer names each
    order assigned or refused, and why."""
    user = request.user
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:BULK_ASSIGN_MAX]
    queue = request.POST.get("queue", "")
    back = reverse("workorders:list") + (f"?queue={queue}" if queue in QUEUES else "")
    if not ids:
        messages.warning(request, _("Tick the orders to assign first."))
        return redirect(back)
    data = {"department": request.POST.get("department", "")}
    if request.POST.get("assignee"):
        data["assignee"] = request.POST["assignee"]
    versions = {pk: int(v) for pk in ids if (v := request.POST.get(f"version_{pk}", "")).isdigit()}
    results = workorders_assign_bulk(actor=user, ids=ids, versions=versions, data=data)
    queue_counts_forget(user)
    done = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    if done:
        messages.success(
            request,
            ngettext(
                "%(n)d order assigned: %(orders)s.",
                "%(n)d orders assigned: %(orders)s.",
                len(done),
            )
            % {"n": len(done), "orders": ", ".join(r.label for r in done)},
        )
    for r in failed:
        messages.error(
            request, _("%(order)s not assigned: %(reason)s") % {"order": r.label, "reason": r.message}
        )
    return redirect(back)


@login_required
def queue_nav_view(request):
    """The queue badges alone (htmx, after an action: ``HX-Trigger: queues-changed``)."""
    return render(
        request, "workorders/partials/queue_nav.html", {"current_queue": request.GET.get("queue", "")}
    )


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
    if key in ("level", "level_from", "level_to") and value in Level.values:
        return Level(value).label
    if key == "dissatisfaction_reason":
        return DissatisfactionReason(value).label if value in DissatisfactionReason.values else value
    if key == "satisfaction":
        return Satisfaction(value).label if value in Satisfaction.values else value
    if key == "method":
        return ContactMethod(value).label if value in ContactMethod.values else value
    if key == "source" and value == "customer_survey":
        return _("The customer's SMS survey")
    if key == "evaluation":
        return Satisfaction(value).label if value in Satisfaction.values else value
    if key == "truthfulness":
        return Truthfulness(value).label if value in Truthfulness.values else value
    if key in ("requested_due_at", "extended_until") and isinstance(value, str):
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
                "started_at": item.get("started_at"),
                "due": _local(item["due_at"]),
                "met": _local(item.get("met_at")),
                "left": left or "",
                "state": label,
                "state_code": state,
                "css": DEADLINE_CLASSES.get(state, ""),
            }
        )
    return rows


# The deadline clocks of each status (the header's time left is the earliest of them).
STATUS_STAGES = {
    Status.CLASSIFICATION: (Stage.DISPATCH,),
    Status.ASSIGNMENT: (Stage.DISPATCH,),
    Status.PROCESSING: (Stage.CONTACT, Stage.REPLY, Stage.EXTENSION),
    Status.REVIEW: (Stage.REVIEW,),
    Status.CALLBACK: (Stage.CALLBACK,),
}


def _current_due(order):
    """The live due time of the order's current stage: its running (not held) clocks of the stages
    of its status, else any running clock, else the extension it was granted. None when closed."""
    if order.status == Status.CLOSED:
        return None
    running = [row for row in order.deadlines.all() if row.is_open and row.held_since is None]
    stages = STATUS_STAGES.get(order.status, ())
    current = [row.due_at for row in running if row.stage in stages]
    return min(current or [row.due_at for row in running], default=None) or order.extended_until


# The events that start a new handling cycle, for grouping the deadlines.
CYCLE_LABELS = {
    "first": gettext_lazy("First handling"),
    "rejected": gettext_lazy("After rejection %(n)d"),
    "returned": gettext_lazy("After return %(n)d"),
    "reopened": gettext_lazy("After reopen %(n)d"),
}


def _cycle_kind(event):
    if event.action == "reject":
        return "rejected"
    if event.action == "return":
        return "returned"
    if event.action in ("reopen", "callback", "decide_callback") and event.to_status == Status.PROCESSING:
        if event.from_status != Status.PROCESSING:
            return "reopened"
    return None


def _deadline_groups(rows, events):
    """The deadline rows grouped by the cycle they started in: first handling, after the n-th
    rejection, return or reopen (from the order's events: no query), in the order they began."""
    starts, counts = [("first", 0, None)], {}
    for event in events:
        kind = _cycle_kind(event)
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
            starts.append((kind, counts[kind], event.created_at))
    groups = {(kind, n): [] for kind, n, _at in starts}
    for row in rows:
        started = _moment(row.get("started_at"))
        key = ("first", 0)
        for kind, n, at in starts[1:]:
            if started is not None and at <= started:
                key = (kind, n)
        groups[key].append(row)
    return [
        {"label": CYCLE_LABELS[kind] % {"n": n} if n else CYCLE_LABELS[kind], "rows": groups[(kind, n)]}
        for kind, n, _at in starts
        if groups[(kind, n)]
    ]


def _back_reasons(order, events):
    """Why the order is back (the banner): rejections, returns, an unsatisfied callback, reopens
    and supervision requirements since the last reply; nothing once the order is closed."""
    if order.status == Status.CLOSED:
        return []
    found = []
    for event in events:
        payload = event.payload or {}
        if event.action in ("reply", "decide_callback") and not (
            event.action == "decide_callback" and payload.get("reopen")
        ):
            found = []  # answered: what came before is dealt with
        if event.action == "answer_supervision":  # the 督办 is answered
            found = [entry for entry in found if entry["kind"] != "supervised"]
        kind = None
        if event.action == "reject":
            kind, text = "rejected", _("Reply rejected by %(who)s") % {"who": event.actor or _("System")}
        elif event.action == "return":
            kind = "returned"
            text = _("Returned by %(dept)s") % {"dept": payload.get("department_name") or "—"}
        elif event.action == "callback" and payload.get("satisfaction") == Satisfaction.UNSATISFIED:
            kind, text = "unsatisfied", _("The customer was unsatisfied at the callback")
        elif event.action == "reopen" or (event.action == "decide_callback" and payload.get("reopen")):
            kind, text = "reopened", _("Reopened by %(who)s") % {"who": event.actor or _("System")}
        elif event.action == "transfer":  # 转办: from which department, and why
            kind = "transferred"
            text = _("Transferred from %(dept)s") % {"dept": payload.get("from_department_name") or "—"}
        elif event.action == "supervise":  # 督办: its requirements
            who = event.actor or _("System")
            kind, text = "supervised", _("Supervision requirements from %(who)s") % {"who": who}
        if kind is None:
            continue
        reason = payload.get("reason") or payload.get("requirements") or ""
        if kind == "unsatisfied":
            value = payload.get("dissatisfaction_reason")
            reason = DissatisfactionReason(value).label if value in DissatisfactionReason.values else ""
        found.append(
            {
                "kind": kind,
                "title": text,
                "reason": reason,
                "comment": payload.get("comment") or "",
                "at": event.created_at,
            }
        )
    if order.suspended_at is not None or order.suspend_requested_at is not None:  # 挂起
        asked = next((e for e in reversed(events) if e.action == "suspend"), None)
        if order.suspended_at is not None:
            title = _("Suspended since %(at)s: every deadline is stopped until it is resumed") % {
                "at": timezone.localtime(order.suspended_at).strftime("%Y-%m-%d %H:%M")
            }
        else:
            title = _("Suspension requested: waiting for a supervisor's decision")
        found.append(
            {
                "kind": "suspended",
                "title": title,
                "reason": (asked.payload or {}).get("reason", "") if asked else "",
                "comment": "",
                "at": asked.created_at if asked else order.suspended_at,
            }
        )
    return found


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
    if code == "reply" and order.reply:  # after a rejection or a reopen: the last reply, to amend
        fields = ("cause", "truthfulness", "measures", "reply", "responsible_person")
        return {
            **{name: getattr(order, name) for name in fields},
            "responsible_department": order.responsible_department_id,
        }
    return {}


def _confirmation(order, action):
    """What the browser asks before a destructive action or a level change."""
    if action.code == "escalate" and order.level != Level.SPECIAL:
        return _("Raise this order from %(from)s to %(to)s? The level cannot be lowered again.") % {
            "from": order.get_level_display(),
            "to": Level(level_up(order.level)).label,
        }
    return ""


def _detail_context(request, order, *, failed=None, data=None, errors=None, message=None, level="danger"):
    user = request.user
    # The serializer and page read these; ``assists`` (协办) also answers ``available_actions``.
    prefetch_related_objects([order], "attachments", "extension_requests", "assists__department")
    offered = available_actions(order, user)
    serialized = WorkOrderDetailSerializer(order, context={"request": request, "offered": offered}).data
    if failed and failed not in {a.code for a in offered}:
        offered = available_actions(order, user, keep=failed)  # the refused form, shown again
    forms = []
    side = {}
    # The form the order waits for from this user opens by default (the refused one after a refusal).
    defaults = () if failed else next_step(a.code for a in offered)
    pending = [r for r in order.extension_requests.all() if r.state == ExtensionRequest.State.PENDING]
    for action in offered:
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
            "open": is_failed or action.code in defaults,
            "next": action.code in defaults,
            "confirm": _confirmation(order, action),
            "request": pending[0] if action.code == "decide_extension" and pending else None,
            "non_field_errors": (errors or {}).get("non_field_errors", []) if is_failed else [],
            "templates": template_offer(order, action.code),  # issue 16: the category's reply/callback texts
        }
        if action.code == "merge":
            _merge_choices(entry["fields"], order, user)
        if action.code in SIDE_SECTIONS:
            side[action.code] = entry
        else:
            forms.append(entry)
    # The step the order waits for first, destructive ones last.
    forms.sort(key=lambda entry: (not entry["next"], entry["destructive"]))
    now = timezone.now()
    # The header shows the late stages, not the sticky flag (the serializer loaded the rows).
    order.late_stages = serialized["late_stages"]
    order.late_badges = late_badges(order.late_stages)
    order.next_due = _current_due(order)
    time_class, time_text = time_left(order, now, overdue_now=bool(order.late_stages["overdue"]))
    events = list(workorder_events(order))
    deadlines = _deadline_rows(serialized["deadlines"])
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
        "assists": list(order.assists.all()),
        "deadlines": deadlines,
        "deadline_groups": _deadline_groups(deadlines, events),
        "back_reasons": _back_reasons(order, events),
        "notes": notes,
        "time_class": time_class,
        "time_text": time_text,
        "categories": category_tree() if any(f["code"] == "classify" for f in forms) else None,
        "flash": message,
        "flash_level": level,
        "can_open_customer": user.has_role(*LOOKUP_ROLES),
        **_assist_context(request, order, forms),  # issue 14: next in queue, the dispatcher's aids
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
    before = _queues_holding(user, order.pk, timezone.now())  # for "next in queue" after the action
    try:
        result = perform(
            order.pk,
            code,
            actor=user,
            version=int(version) if version and version.isdigit() else None,
            data=data,
        )
    except DomainError as exc:
        message, errors = page_refusal(exc)  # not_found: 404
        fresh = workorder_get(user, pk)
        if exc.code == "stale_version" and fresh is not None and _already_done(fresh, code, user, version):
            # The same form sent twice (a double click): the first post did it; nothing is done twice.
            message = _("%(action)s was already done; here is the order as it is now.") % {
                "action": action.label
            }
            return _answer(request, fresh, message=message, level="info")
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
    done = done_message(code, fresh or result)  # what happened to the order, from its new state
    request.next_in_queue = _next_in_queue(user, pk, before)
    if fresh is None:  # no longer in scope (e.g. returned by a handler of another team)
        messages.success(request, done)
        nxt = request.next_in_queue
        target = nxt["queue_url"] if nxt else reverse("workorders:list")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    if request.htmx:
        response = _answer(request, fresh, message=done, level="success")
        response["HX-Trigger"] = "queues-changed"  # the queue badges fetch their counts again
        return response
    messages.success(request, done)
    if request.next_in_queue:  # shown once, on the order's page the redirect leads to
        request.session[NEXT_IN_QUEUE_KEY] = {**request.next_in_queue, "from": pk}
    return redirect("workorders:detail", pk=pk)


# --- triage aids on the order page (issue 14) ------------------------------------------------------

NEXT_IN_QUEUE_KEY = "workorders:next-in-queue"


def _assist_context(request, order, forms) -> dict:
    """What ``workorders/partials/triage.html`` shows on the order page: the next order of the
    queue this one just left (set by the action, or kept in the session over its redirect), and
    the assign form's aids (the suggested department, the handlers per department)."""
    nxt = getattr(request, "next_in_queue", None)
    if nxt is None and NEXT_IN_QUEUE_KEY in request.session:
        kept = request.session.pop(NEXT_IN_QUEUE_KEY)
        nxt = kept if isinstance(kept, dict) and kept.get("from") == order.pk else None
    triage = None
    if any(f["code"] == "assign" for f in forms):
        triage = {
            "suggestion": department_suggestion(
                unit_id=order.unit_id, category_id=order.category_id, user=request.user
            ),
            "handlers_json": handlers_by_department(request.user),
        }
    return {"next_in_queue": nxt, "triage": triage}


def _queues_holding(user, pk, now) -> list[str]:
    """The codes of the user's queues that hold the order now (one query for all of them)."""
    queues = queues_for(user)
    if not queues:
        return []
    found = (
        workorders_visible_to(user)
        .filter(pk=pk)
        .aggregate(**{f"q_{q.code}": Count("pk", filter=q.filter(user, now)) for q in queues})
    )
    return [q.code for q in queues if found.get(f"q_{q.code}")]


def _next_in_queue(user, pk, before: list[str]) -> dict | None:
    """After an action: the first queue the order was in and has left, with its next order (due
    soonest first, as the queue lists it); None when the order left no queue of the user's."""
    if not before:
        return None
    now = timezone.now()
    after = set(_queues_holding(user, pk, now))
    left = [code for code in before if code not in after]
    if not left:
        return None
    queue = QUEUES[left[0]]
    nxt = (
        with_due(queue_orders(user, queue.code, now=now).exclude(pk=pk))
        .order_by(F("next_due").asc(nulls_last=True), "id")
        .values("pk", "tracking_no")
        .first()
    )
    return {
        "code": queue.code,
        "label": str(queue.label),
        "pk": nxt["pk"] if nxt else None,
        "tracking_no": (nxt["tracking_no"] or str(nxt["pk"])) if nxt else "",
        "queue_url": f"{reverse('workorders:list')}?queue={queue.code}",
    }


def _already_done(order, code: str, user, version) -> bool:
    """Whether ``user`` did ``code`` to ``order`` since the ``version`` their form was showing."""
    if not (version and version.isdigit()):
        return False
    return order.events.filter(version__gt=int(version), action=code, actor=user).exists()


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
