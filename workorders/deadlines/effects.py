"""What each lifecycle event does to the order's deadline clocks, declared per action.

``on_workorder_event`` is the deadlines concern of the effects registry (``lifecycle.effects``) and
its ``WORKORDER_TRANSITION_HOOKS`` entry: it runs inside every event's transaction and opens, meets,
moves or cancels the order's ``Deadline`` rows. Every action of ``ACTIONS`` is declared below, even
when it does nothing here (the startup check ``workorders.E001`` insists); events not declared (the
sweep's ``deadline_*`` system events, for instance) do nothing.

Clock rules (domain.md §3, §8): customer-facing clocks (dispatch, contact, reply, overall,
regulatory) run from ``received_at`` and are not paused by returns; a rejected reply keeps its
deadline; a reopened order gets a new reply limit (``DEADLINE_REOPEN_REPLY_LIMIT``) and a new
callback; an approved extension moves the reply deadline to ``extended_until``; while an
extension request waits for a decision the reply row is held (no reminder, no breach). That an
extension must be asked for before the reply deadline is the lifecycle's own rule
(``actions._request_extension``).
"""

from datetime import datetime

from django.conf import settings

from ..lifecycle import Concern, record_system_event
from ..models import (
    PLATFORM_CHANNELS,
    UNHANDLED_OUTCOMES,
    Deadline,
    OrderSla,
    Stage,
    Status,
    WorkOrder,
    WorkOrderEvent,
)
from .calendar import get_calendar
from .engine import (
    cancel_open,
    centre_limit,
    day_before_reminder,
    department_at,
    freeze_sla,
    is_urgent,
    max_escalation_level,
    meet,
    next_check,
    open_classified,
    open_row,
    open_rows,
    parse_spec,
    recompute_open,
    release_hold,
    resolve_policy,
    sla_for,
    sync_next_due,
)

effects = Concern("deadlines", every_action=True)


def on_workorder_event(*, order: WorkOrder, event: WorkOrderEvent) -> None:
    """The event's effect on the clocks, then the order's next due time (the queues sort on it),
    unless the event declares no effect here."""
    if effects.handles(event.action):
        effects(order=order, event=event)
        sync_next_due(order, getattr(order, "_next_due_known", None))
        order._next_due_known = None


def _on_batch(pairs: list[tuple[WorkOrder, WorkOrderEvent]]) -> None:
    """A batch of events (intake's create and submit): each effect, then each order's next due
    time once."""
    orders = {}
    for order, event in pairs:
        if effects.handles(event.action):
            effects(order=order, event=event)
            orders[id(order)] = order
    for order in orders.values():
        sync_next_due(order, getattr(order, "_next_due_known", None))
        order._next_due_known = None


on_workorder_event.batch = _on_batch
on_workorder_event.concern = effects  # the startup check finds the concern behind the hook

# Actions that leave every clock as it is.
effects.none("accept", "note", "attach", "internal_urge")
# The order a duplicate joins only counts an urge; the sweep's own events change no clock.
effects.none("merged_from", "deadline_warning", "deadline_breached", "deadline_overdue", "deadline_escalated")


@effects.on("create")
def _created(order: WorkOrder, event: WorkOrderEvent) -> None:
    """The dispatch clock starts at receipt, before anyone has classified the order; a draft's
    clock waits for its submit."""
    if order.status == Status.INTAKE:
        return
    # A new order has no deadline rows and no frozen SLA yet: nothing to look up.
    row = _open_dispatch(order, start=order.received_at, now=event.created_at, fresh=True)
    order._dispatch_opened_at_creation = True  # for its submit event, in the same batch
    order._next_due_known = (row.due_at, row.started_at) if row else (None, None)  # its only row


@effects.on("submit")
def _submitted(order: WorkOrder, event: WorkOrderEvent) -> None:
    """A draft submitted: its dispatch clock starts now, not when the draft was saved. (Intake's
    submit at once finds the clock its ``create`` opened from receipt.)"""
    if getattr(order, "_dispatch_opened_at_creation", False):
        return
    if order.deadlines.open().filter(stage=Stage.DISPATCH).exists():
        return
    _open_dispatch(order, start=event.created_at, now=event.created_at)


# A draft's edit changes no clock (it has none yet).
effects.none("draft_edited")


def _open_dispatch(
    order: WorkOrder, *, start: datetime, now: datetime, fresh: bool = False
) -> Deadline | None:
    policy = resolve_policy(level=order.level, category=order.category, channel=order.channel)
    limit = policy.limits().get(str(Stage.DISPATCH)) if policy else None
    if not limit:
        return None
    return open_row(order, Stage.DISPATCH, start=start, now=now, limit=limit, cycle=0, fresh=fresh)


@effects.on("classify")
def _classified(order: WorkOrder, event: WorkOrderEvent) -> None:
    sla = open_classified(order, now=event.created_at)
    _open_platform(order, now=event.created_at, sla=sla)


def _open_platform(order: WorkOrder, *, now: datetime, sla: OrderSla | None) -> None:
    """12398 / 12345: the reply back to the platform is due by the SLA policy's platform limit (else
    the channel's own limit), counted from receipt; it stays open after the order closes until the
    reply is recorded (``platform_reply``)."""
    if order.channel not in PLATFORM_CHANNELS:
        return
    limit = centre_limit(order, Stage.PLATFORM, sla=sla)
    if limit:
        open_row(order, Stage.PLATFORM, start=order.received_at, now=now, limit=limit, basis="platform")


@effects.on("platform_reply")
def _platform_replied(order: WorkOrder, event: WorkOrderEvent) -> None:
    meet(order, Stage.PLATFORM, now=event.created_at)


effects.none("platform_evaluation")


@effects.on("dismiss", "merge")
def _closed_unhandled(order: WorkOrder, event: WorkOrderEvent) -> None:
    _follow_status(order, event)


@effects.on("assign")
def _dispatched(order: WorkOrder, event: WorkOrderEvent) -> None:
    meet(order, Stage.DISPATCH, now=event.created_at)
    if (event.payload or {}).get("assisting"):
        _open_assist(order, now=event.created_at)


def _open_assist(order: WorkOrder, *, now: datetime) -> None:
    """协办: the assisting parts share one clock (the policy's assist limit, else ``ASSIST_LIMIT``, from
    the assignment), reminded and breached like any stage (the lead department, who waits for them,
    is its holder)."""
    limit = centre_limit(order, Stage.ASSIST)
    row = open_row(order, Stage.ASSIST, start=now, now=now, limit=limit, basis="assist")
    if row is not None:
        order.assists.filter(state="pending", due_at__isnull=True).update(due_at=row.due_at)


@effects.on("assist", "waive_assist")
def _assist_done(order: WorkOrder, event: WorkOrderEvent) -> None:
    if not order.assists.filter(state="pending").exists():
        meet(order, Stage.ASSIST, now=event.created_at)


@effects.on("transfer")
def _transferred(order: WorkOrder, event: WorkOrderEvent) -> None:
    """The customer's clocks run on (a transfer does not restart them); a part waived because its
    department now leads may have been the last one."""
    _assist_done(order, event)


@effects.on("return")
def _returned(order: WorkOrder, event: WorkOrderEvent) -> None:
    """The customer's clocks keep running (§8.1); dispatch must route the order again."""
    now = event.created_at
    open_row(order, Stage.DISPATCH, start=now, now=now, basis="redispatch", cycle=order.return_count)


@effects.on("contact")
def _contacted(order: WorkOrder, event: WorkOrderEvent) -> None:
    if (event.payload or {}).get("first"):
        meet(order, Stage.CONTACT, now=event.created_at)


@effects.on("reply")
def _replied(order: WorkOrder, event: WorkOrderEvent) -> None:
    now = event.created_at
    meet(order, Stage.REPLY, now=now)
    meet(order, Stage.REGULATORY, now=now)
    open_row(order, Stage.REVIEW, start=now, now=now)


@effects.on("approve")
def _approved(order: WorkOrder, event: WorkOrderEvent) -> None:
    now = event.created_at
    meet(order, Stage.REVIEW, now=now)
    open_row(order, Stage.CALLBACK, start=now, now=now)


@effects.on("reject")
def _rejected(order: WorkOrder, event: WorkOrderEvent) -> None:
    """A rejected reply goes back to the handler; its deadline does not move (§8.2)."""
    now = event.created_at
    meet(order, Stage.REVIEW, now=now)
    cal = get_calendar()
    for stage in (Stage.REPLY, Stage.REGULATORY):
        if open_rows(order, stage).exists():
            continue
        row = (
            Deadline.objects.select_for_update()
            .filter(order=order, stage=stage, met_at__isnull=False)
            .order_by("-met_at", "-pk")
            .first()
        )
        if row is None:
            continue
        row.met_at = None
        row.next_at = next_check(row, urgent=is_urgent(order), cal=cal)
        row.save(update_fields=["met_at", "next_at"])


@effects.on("callback")
def _called_back(order: WorkOrder, event: WorkOrderEvent) -> None:
    """A callback that reached the customer ends the callback clock; it may close or reopen."""
    if (event.payload or {}).get("reached"):
        meet(order, Stage.CALLBACK, now=event.created_at)
    _follow_status(order, event)


@effects.on("decide_callback")
def _callback_decided(order: WorkOrder, event: WorkOrderEvent) -> None:
    meet(order, Stage.CALLBACK, now=event.created_at)
    _follow_status(order, event)


@effects.on("reopen")
def _reopened(order: WorkOrder, event: WorkOrderEvent) -> None:
    _follow_status(order, event)


@effects.on("request_extension")
def _extension_requested(order: WorkOrder, event: WorkOrderEvent) -> None:
    """The reply clock holds while the request waits for a decision, at most until the regulatory
    limit (its ceiling: there the clock runs again and breaches), and the decision gets a clock of
    its own (the review limit): a request nobody decides is reminded, breached and escalated like
    any stage, to the supervisors and then up the tree."""
    now = event.created_at
    regulatory = open_rows(order, Stage.REGULATORY).order_by("due_at").first()
    ceiling = regulatory.due_at if regulatory is not None and regulatory.due_at > now else None
    for row in open_rows(order, Stage.REPLY):
        row.held_since, row.held_until = now, ceiling
        row.next_at = next_check(row, urgent=is_urgent(order), cal=get_calendar())
        row.save(update_fields=["held_since", "held_until", "next_at"])
    sla = sla_for(order)
    limit = sla.limits.get(str(Stage.REVIEW)) if sla else None
    open_row(order, Stage.EXTENSION, start=now, now=now, limit=limit, basis="extension")


@effects.on("decide_extension")
def _extension_decided(order: WorkOrder, event: WorkOrderEvent) -> None:
    """The reply clock runs again; an approved extension moves it to ``extended_until`` (with a
    fresh reminder, and the day-before one)."""
    now, approved = event.created_at, bool((event.payload or {}).get("approved"))
    meet(order, Stage.EXTENSION, now=now)
    cal = get_calendar()
    urgent = is_urgent(order)
    for row in open_rows(order, Stage.REPLY):
        release_hold(row, now=now)
        if approved and order.extended_until:
            row.due_at, row.basis = order.extended_until, "extension"
            sla = sla_for(order)
            share = sla.warn_share if sla else 0.75
            warn = cal.warn_moment(row.started_at, row.due_at, row.limit_unit, share)
            row.warn_at = warn if urgent else cal.next_working_moment(warn)
            if row.warn_at <= now or row.warn_at >= row.due_at:
                row.warn_at = None
            row.remind_at = day_before_reminder(cal, now, row.due_at, row.limit_unit)
            row.warned_at = row.reminded_at = None
            if row.breached_at is not None and now < row.due_at:
                # Breached at the ceiling before the decision: the granted time stands.
                row.breached_at = row.breach_notified_at = row.escalated_at = None
                row.escalation_level = 0
        row.next_at = next_check(row, urgent=urgent, cal=cal)
        row.save()


@effects.on("supervise")
def _supervised(order: WorkOrder, event: WorkOrderEvent) -> None:
    """督办: the department's answer gets a clock of its own, due when the issuer said (else
    the policy's supervision limit, else ``SUPERVISION_FEEDBACK_LIMIT``, from now), reminded,
    breached and escalated like any stage."""
    now, payload = event.created_at, event.payload or {}
    limit = centre_limit(order, Stage.SUPERVISION)
    row = open_row(order, Stage.SUPERVISION, start=now, now=now, limit=limit, basis="supervision")
    if row is None or not payload.get("due_at"):
        return
    due = datetime.fromisoformat(payload["due_at"])
    cal, urgent = get_calendar(), is_urgent(order)
    row.due_at = row.original_due_at = due
    warn = cal.warn_moment(now, due, row.limit_unit, 0.75)
    row.warn_at = warn if warn is not None and now < warn < due else None
    row.remind_at = None
    row.next_at = next_check(row, urgent=urgent, cal=cal)
    row.save(update_fields=["due_at", "original_due_at", "warn_at", "remind_at", "next_at"])


@effects.on("answer_supervision")
def _supervision_answered(order: WorkOrder, event: WorkOrderEvent) -> None:
    meet(order, Stage.SUPERVISION, now=event.created_at)


# 挂起: asking changes nothing; an approved suspension stops every clock (a held row is never
# reminded nor breached), ``resume`` starts them again, each moved by the time stopped.
effects.none("suspend")


@effects.on("decide_suspend")
def _suspension_decided(order: WorkOrder, event: WorkOrderEvent) -> None:
    if not (event.payload or {}).get("approved"):
        return
    now = event.created_at
    for row in open_rows(order):
        row.held_since, row.held_until, row.next_at = now, None, None
        row.save(update_fields=["held_since", "held_until", "next_at"])


@effects.on("resume")
def _resumed(order: WorkOrder, event: WorkOrderEvent) -> None:
    now = event.created_at
    cal, urgent = get_calendar(), is_urgent(order)
    for row in open_rows(order):
        if row.held_since is None:
            continue
        stopped = now - row.held_since
        release_hold(row, now=now)
        row.due_at += stopped
        for name in ("warn_at", "remind_at"):
            if getattr(row, name) is not None:
                setattr(row, name, getattr(row, name) + stopped)
        row.next_at = next_check(row, urgent=urgent, cal=cal)
        row.save()


@effects.on("terminate")
def _terminated(order: WorkOrder, event: WorkOrderEvent) -> None:
    """服务终止 closes the order: the overall clock is met, the rest (a callback, say) cancelled."""
    now = event.created_at
    meet(order, Stage.OVERALL, now=now)
    cancel_open(order, now=now, except_stages=(Stage.PLATFORM,))


@effects.on("escalate")
def _escalated(order: WorkOrder, event: WorkOrderEvent) -> None:
    _level_changed(order, event)


@effects.on("urge")
def _urged(order: WorkOrder, event: WorkOrderEvent) -> None:
    """An urge may raise the level; it also moves a breached and alerted deadline's escalation."""
    _level_changed(order, event)
    _urge_escalates(order, now=event.created_at)


# --- shared steps ----------------------------------------------------------------------------------


def _level_changed(order: WorkOrder, event: WorkOrderEvent) -> None:
    """After a level change: freeze the new level's limits and recompute the open rows (§5.1)."""
    if not (event.payload or {}).get("level_to"):
        return
    if sla_for(order) is not None:
        now = event.created_at
        recompute_open(order, sla=freeze_sla(order, now=now), now=now)


def _follow_status(order: WorkOrder, event: WorkOrderEvent) -> None:
    """What closing and reopening do to the clocks (after the action's own steps).

    Closing stops every clock: a handled order meets its callback and overall deadlines, a merged
    or dismissed one cancels them. A reopened order (from closed, or from callback after an
    unsatisfied customer) gets a new reply limit and, later, a new callback (§8.3).
    """
    now = event.created_at
    if event.to_status == Status.CLOSED and event.from_status != Status.CLOSED:
        if order.outcome in UNHANDLED_OUTCOMES:
            cancel_open(order, now=now)
        else:
            meet(order, Stage.CALLBACK, now=now)
            meet(order, Stage.OVERALL, now=now)
            cancel_open(order, now=now, except_stages=(Stage.PLATFORM,))  # the platform still waits
    elif event.to_status == Status.PROCESSING and event.from_status in (Status.CLOSED, Status.CALLBACK):
        cancel_open(order, now=now, except_stages=(Stage.REPLY, Stage.PLATFORM))
        limit = parse_spec(getattr(settings, "DEADLINE_REOPEN_REPLY_LIMIT", "2wd"))
        open_row(
            order, Stage.REPLY, start=now, now=now, limit=limit, basis="reopen", cycle=order.reopen_count
        )


def _urge_escalates(order: WorkOrder, *, now: datetime) -> None:
    """A customer urging an order whose deadline has already been breached and alerted moves that
    deadline's escalation one level up the tree at once (urging counts toward escalation, §5.2)."""
    row = open_rows(order).filter(breach_notified_at__isnull=False).order_by("due_at", "pk").first()
    if row is None or row.escalation_level >= max_escalation_level():
        return
    row.escalation_level += 1
    row.escalated_at = now
    row.next_at = next_check(row, urgent=is_urgent(order), cal=get_calendar())
    row.save(update_fields=["escalation_level", "escalated_at", "next_at"])
    record_system_event(
        order,
        "deadline_escalated",
        now=now,
        payload={
            "stage": row.stage,
            "due_at": row.due_at.isoformat(),
            "deadline": row.pk,
            "cycle": row.cycle,
            "escalation_level": row.escalation_level,
            "department": department_at(order, row.escalation_level),
            "reason": "urge",
        },
    )
