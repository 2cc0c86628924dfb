"""The table of lifecycle actions: what each action needs, who may take it, and what it changes.

``ACTIONS`` says, for every action, the states it starts from, the state it leads to, who may take
it, its input and its ``apply`` function (which changes the order's fields, never its status, and
refuses with ``DomainError`` when the action's own rules say no). ``engine.perform`` is the one
function that runs them. What an action does for the other concerns (deadline clocks, statistics,
notifications) is declared in the effects registry (``effects``), not here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_covers_department
from complaints.models import Complaint
from complaints.validators import CONTACT_PHONE_REQUIRED, contact_phone_missing
from config.errors import DomainError

from ..models import (
    OPEN_STATUSES,
    PLATFORM_CHANNELS,
    UNHANDLED_OUTCOMES,
    Assignment,
    AssistRequest,
    Attachment,
    Deadline,
    DissatisfactionReason,
    ExtensionRequest,
    Level,
    Outcome,
    Satisfaction,
    Stage,
    Status,
    WorkOrder,
    at_least,
    level_up,
)
from ..rules import workorder_detect_repeat, workorder_minimum_level
from ..selectors import handler_department_ids, is_handling_department
from . import inputs
from .events import write_event

ANY = tuple(Status.values)


@dataclass
class Context:
    """What an action's ``apply`` function works with."""

    order: WorkOrder
    actor: User | None
    data: dict
    now: datetime
    payload: dict = field(default_factory=dict)
    target: str | None = None  # overrides the action's target (callback, for instance)
    locked: dict = field(default_factory=dict)  # other orders locked for this action, by id
    via: str | None = None  # the system path acting for someone (``perform(via=...)``), e.g. sms_survey


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    sources: tuple
    target: str | None  # None: the order stays in its state
    roles: frozenset
    apply: Callable[[Context], None]
    input: type = inputs.NoInput
    handling_department_only: bool = False  # the actor must handle for the order's department
    destructive: bool = False  # the UI asks for confirmation
    also_lock: Callable[[dict], list] | None = None  # ids of other orders to lock (in id order)
    # Whether the UI should offer the action given the order's facts (perform still decides and
    # explains a refusal); e.g. "accept" is not offered once the order is accepted.
    offered: Callable[[WorkOrder], bool] | None = None
    # The same for facts that depend on who looks (e.g. no urging of one's own new order).
    offered_to: Callable[[WorkOrder, User], bool] | None = None
    # System paths that may take the action for someone who is no user (``perform(via=...)``).
    via: tuple[str, ...] = ()


def _refuse(message: str, code: str = "illegal_transition") -> NoReturn:
    raise DomainError(message, code=code)


# --- apply functions ------------------------------------------------------------------------------


def check_submittable(complaint: Complaint) -> None:
    """Refuse (400 ``invalid``, the missing fields) a complaint that cannot leave intake yet: the
    rule of the ``submit`` action, also applied by intake when it records and submits at once."""
    missing = {}
    for name in ("content", "demand", "address"):
        if not getattr(complaint, name).strip():
            missing[name] = [_("This field is required.")]
    if contact_phone_missing(is_anonymous=complaint.is_anonymous, phone=complaint.phone):
        missing["phone"] = [CONTACT_PHONE_REQUIRED]
    if missing:
        raise DomainError(
            _("The complaint is incomplete; fill in the marked fields."),
            code="invalid",
            fields=missing,
        )


def _submit(ctx: Context) -> None:
    check_submittable(ctx.order.complaint)


def _classify(ctx: Context) -> None:
    order, data = ctx.order, ctx.data
    order.category = data["category"]
    if "channel" in data and data["channel"] != order.channel:
        ctx.payload["channel"] = {"from": order.channel, "to": data["channel"]}
        order.channel = order.complaint.channel = data["channel"]
    order.complaint.category = data["category"]
    order.complaint.save(update_fields=["category", "channel"])
    workorder_detect_repeat(order)
    minimum = workorder_minimum_level(order)
    order.level = at_least(data["level"], minimum)
    order.classified_at = ctx.now
    ctx.payload.update(category=order.category.code, level=order.level)
    if order.level != data["level"]:
        ctx.payload["level_raised_from"] = data["level"]


def _dismiss(ctx: Context) -> None:
    ctx.order.outcome = Outcome.NOT_ESTABLISHED
    ctx.order.closed_at = ctx.now
    ctx.payload["reason"] = ctx.data["reason"]


def _merge_lock(data: dict) -> list[int]:
    return [data["into"]]


def _merge(ctx: Context) -> None:
    order, target = ctx.order, ctx.locked.get(ctx.data["into"])
    if target is None or target.pk == order.pk:
        _refuse(_("Choose another open order that you can see to merge into."), code="invalid_merge_target")
    if target.status == Status.CLOSED:
        _refuse(
            _("Order %(no)s is already closed; it cannot take a duplicate.") % {"no": target.tracking_no},
            code="invalid_merge_target",
        )
    order.outcome = Outcome.MERGED
    order.merged_into = target
    order.closed_at = ctx.now
    ctx.payload.update(into=target.pk, into_tracking_no=target.tracking_no)
    # The duplicate counts as the customer urging the order that stays.
    target.urge_count += 1
    target.version += 1
    target.save(update_fields=["urge_count", "version", "updated_at"])
    write_event(
        target,
        "merged_from",
        actor=ctx.actor,
        payload={"from": order.pk, "from_tracking_no": order.tracking_no},
        now=ctx.now,
    )


def _assign(ctx: Context) -> None:
    order, data, actor = ctx.order, ctx.data, ctx.actor
    department, assignee = data["department"], data.get("assignee")
    if actor is not None and not user_covers_department(actor, department):
        _refuse(
            _("You cannot route orders to %(dept)s.") % {"dept": department},
            code="department_out_of_scope",
        )
    if assignee is not None:
        if (
            not assignee.has_role(Role.HANDLER)
            or assignee.department_id is None
            or not assignee.department.path.startswith(department.path)
        ):
            raise DomainError(
                _("%(user)s is not a handler of %(dept)s.") % {"user": assignee, "dept": department},
                code="invalid",
                fields={"assignee": [_("Choose a handler of the selected department.")]},
            )
    order.department, order.assignee = department, assignee
    order.dispatched_at, order.accepted_at = ctx.now, None
    Assignment.objects.create(order=order, department=department, assigned_by=actor, assigned_at=ctx.now)
    ctx.payload.update(
        department=department.pk, department_name=department.name, assignee=assignee.pk if assignee else None
    )
    # A department that assisted and now leads has no part of its own to give any more.
    order.assists.filter(state=AssistRequest.State.PENDING, department=department).update(
        state=AssistRequest.State.WAIVED,
        waive_reason=_("Became the lead department"),
        done_by=actor,
        done_at=ctx.now,
    )
    assisting = _request_assists(ctx, data.get("assisting_departments") or [], lead=department)
    if assisting:
        ctx.payload["assisting"] = assisting


def _request_assists(ctx: Context, departments: list[Department], *, lead: Department) -> list[int]:
    """协办: each assisting department gets a pending part (and sees the order); the lead's reply
    waits for them (``_reply``). A department already assisting with a pending part is left as it is."""
    order, actor = ctx.order, ctx.actor
    pending = set(
        order.assists.filter(state=AssistRequest.State.PENDING).values_list("department_id", flat=True)
    )
    added = []
    for dept in departments:
        if dept.pk == lead.pk:
            raise DomainError(
                _("The lead department cannot also assist."),
                code="invalid",
                fields={"assisting_departments": [_("Choose departments other than the lead.")]},
            )
        if actor is not None and not user_covers_department(actor, dept):
            _refuse(
                _("You cannot route orders to %(dept)s.") % {"dept": dept}, code="department_out_of_scope"
            )
        if dept.pk in pending or dept.pk in added:
            continue
        AssistRequest.objects.create(order=order, department=dept, requested_by=actor, requested_at=ctx.now)
        Assignment.objects.create(
            order=order, department=dept, assigned_by=actor, assigned_at=ctx.now, role=Assignment.Role.ASSIST
        )
        added.append(dept.pk)
    return added


def assists_pending(order: WorkOrder) -> bool:
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("assists")
    if prefetched is not None:
        return any(a.state == AssistRequest.State.PENDING for a in prefetched)
    return order.assists.filter(state=AssistRequest.State.PENDING).exists()


def _my_pending_assist(order: WorkOrder, user: User | None) -> AssistRequest | None:
    if user is None:
        return None
    mine = handler_department_ids(user)
    if not mine:
        return None
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("assists")
    parts = prefetched if prefetched is not None else order.assists.filter(state=AssistRequest.State.PENDING)
    return next(
        (a for a in parts if a.state == AssistRequest.State.PENDING and a.department_id in mine), None
    )


def _assist(ctx: Context) -> None:
    """An assisting department submits its part (its opinion; files go by ``attach``)."""
    part = _my_pending_assist(ctx.order, ctx.actor)
    if part is None:
        _refuse(_("Your department has no assisting part pending on this order."), code="no_assist_pending")
    part.state, part.opinion = AssistRequest.State.SUBMITTED, ctx.data["opinion"]
    part.done_by, part.done_at = ctx.actor, ctx.now
    part.save(update_fields=["state", "opinion", "done_by", "done_at"])
    ctx.payload.update(
        department=part.department_id, department_name=part.department.name, opinion=part.opinion
    )


def _waive_assist(ctx: Context) -> None:
    """The dispatcher lets the lead reply without one assisting department's part."""
    dept = ctx.data["department"]
    part = ctx.order.assists.filter(state=AssistRequest.State.PENDING, department=dept).first()
    if part is None:
        _refuse(
            _("%(dept)s has no assisting part pending on this order.") % {"dept": dept},
            code="no_assist_pending",
        )
    part.state, part.waive_reason = AssistRequest.State.WAIVED, ctx.data["reason"]
    part.done_by, part.done_at = ctx.actor, ctx.now
    part.save(update_fields=["state", "waive_reason", "done_by", "done_at"])
    ctx.payload.update(department=dept.pk, department_name=dept.name, reason=ctx.data["reason"])


def _transfer(ctx: Context) -> None:
    """转办: the lead department hands the order to another one, before contacting the customer; after
    that only a dispatcher may (a reopened order is routed again this way too). The customer's clocks
    run on; the new department accepts it afresh."""
    order, actor, dept = ctx.order, ctx.actor, ctx.data["department"]
    if actor is not None and not actor.has_role(Role.DISPATCHER):
        if not is_handling_department(actor, order):
            _refuse(
                _("Only the department now handling this order may do this: %(action)s.")
                % {"action": _("Transfer")},
                code="not_your_department",
            )
        if order.first_contact_at is not None:
            _refuse(
                _("The customer has been contacted: only a dispatcher can transfer the order now."),
                code="already_contacted",
            )
    if actor is not None and actor.has_role(Role.DISPATCHER) and not user_covers_department(actor, dept):
        _refuse(_("You cannot route orders to %(dept)s.") % {"dept": dept}, code="department_out_of_scope")
    if dept.pk == order.department_id:
        raise DomainError(
            _("The order is already with %(dept)s.") % {"dept": dept},
            code="invalid",
            fields={"department": [_("Choose another department.")]},
        )
    previous = order.department
    Assignment.objects.filter(
        order=order, department=previous, role=Assignment.Role.LEAD, returned_at__isnull=True
    ).update(returned_at=ctx.now, return_reason=ctx.data["reason"])
    Assignment.objects.create(order=order, department=dept, assigned_by=actor, assigned_at=ctx.now)
    # A department that assisted and now leads has no part of its own to give any more.
    order.assists.filter(state=AssistRequest.State.PENDING, department=dept).update(
        state=AssistRequest.State.WAIVED,
        waive_reason=_("Became the lead department"),
        done_by=actor,
        done_at=ctx.now,
    )
    order.department, order.assignee, order.accepted_at = dept, None, None
    ctx.payload.update(
        from_department=previous.pk if previous else None,
        from_department_name=previous.name if previous else "",
        department=dept.pk,
        department_name=dept.name,
        reason=ctx.data["reason"],
    )


def _accept(ctx: Context) -> None:
    order = ctx.order
    if order.accepted_at is not None:
        _refuse(
            _("This order was already accepted by %(user)s.") % {"user": order.assignee},
            code="already_accepted",
        )
    order.assignee, order.accepted_at = ctx.actor, ctx.now


def _require_accepted(order: WorkOrder) -> None:
    if order.accepted_at is None:
        _refuse(_("Accept (签收) the order first."), code="not_accepted")


def _contact(ctx: Context) -> None:
    order = ctx.order
    _require_accepted(order)
    if order.first_contact_at is None:
        order.first_contact_at = ctx.now
        order.contact_method = ctx.data["method"]
        ctx.payload["first"] = True
    ctx.payload.update(method=ctx.data["method"], comment=ctx.data["comment"])


def _return(ctx: Context) -> None:
    order = ctx.order
    if order.first_contact_at is not None:
        _refuse(
            _("An order cannot be returned after the customer has been contacted."), code="already_contacted"
        )
    Assignment.objects.filter(order=order, department=order.department, returned_at__isnull=True).update(
        returned_at=ctx.now,
        return_reason=ctx.data["reason"],
    )
    ctx.payload.update(
        reason=ctx.data["reason"], department=order.department_id, department_name=order.department.name
    )
    order.department = order.assignee = None
    order.accepted_at = None
    order.return_count += 1
    if order.return_count > settings.RETURN_ESCALATE_AFTER:
        order.is_escalated = True
        ctx.payload["escalated"] = True


def _reply(ctx: Context) -> None:
    order, data = ctx.order, ctx.data
    _require_accepted(order)
    if order.first_contact_at is None:
        _refuse(_("Record the first contact with the customer before replying."), code="not_contacted")
    if assists_pending(order):
        _refuse(
            _("Not every assisting part is in: wait for them, or ask a dispatcher to waive one."),
            code="assisting_pending",
        )
    for name in ("cause", "truthfulness", "measures", "reply", "responsible_person"):
        setattr(order, name, data.get(name, ""))
    order.responsible_department = data.get("responsible_department")
    order.replied_at = ctx.now
    ctx.payload.update(truthfulness=data["truthfulness"])


def _approve(ctx: Context) -> None:
    ctx.order.approved_at = ctx.now
    ctx.order.callback_attempts = 0
    ctx.payload["comment"] = ctx.data["comment"]


def _reject(ctx: Context) -> None:
    ctx.order.reject_count += 1
    ctx.payload["reason"] = ctx.data["reason"]


def _close(order: WorkOrder, now: datetime, outcome: str, satisfaction: str | None = None) -> None:
    order.outcome = outcome
    order.closed_at = now
    if satisfaction is not None:
        order.satisfaction = satisfaction


def _reopen_to_processing(ctx: Context) -> None:
    ctx.order.reopen_count += 1
    ctx.order.outcome, ctx.order.closed_at, ctx.order.approved_at = "", None, None
    ctx.target = Status.PROCESSING


# The callback channels besides the agent's phone call: the customer's answer to the SMS survey
# (issue 15, complaints.public.survey), taken by the system (actor None) with ``via="sms_survey"``.
CALLBACK_VIA = {"sms_survey": "customer_survey"}  # via → the source recorded on the event


def _callback(ctx: Context) -> None:
    order, data = ctx.order, ctx.data
    if ctx.via is not None:
        if ctx.actor is not None or not data["reached"]:
            _refuse(_("This callback channel is not accepted here."), code="permission_denied")
        # The event's actor is the system (null); the payload says the customer answered the survey.
        ctx.payload.update(channel=ctx.via, source=CALLBACK_VIA[ctx.via])
    if order.needs_supervisor_decision:
        _refuse(
            _("This order is waiting for a supervisor's decision after the last callback."),
            code="decision_pending",
        )
    order.callback_comment = data["comment"]
    ctx.payload.update(reached=data["reached"], comment=data["comment"])
    if not data["reached"]:
        last = order.events.filter(action="callback", payload__reached=False).order_by("-created_at").first()
        wait = timedelta(minutes=settings.CALLBACK_MIN_INTERVAL_MINUTES)
        if last is not None and order.callback_attempts and ctx.now - last.created_at < wait:
            _refuse(
                _(
                    "Try again at a different time: failed callback attempts must be at least %(min)d "
                    "minutes apart."
                )
                % {"min": settings.CALLBACK_MIN_INTERVAL_MINUTES},
                code="callback_too_soon",
            )
        order.callback_attempts += 1
        ctx.payload["attempt"] = order.callback_attempts
        if order.callback_attempts >= settings.CALLBACK_MAX_ATTEMPTS:
            _close(order, ctx.now, Outcome.UNREACHABLE, Satisfaction.NOT_RATED)
            ctx.target = Status.CLOSED
        return
    satisfaction = data["satisfaction"]
    order.satisfaction = satisfaction
    if not order.first_satisfaction:  # the first callback that reached the customer: kept for good
        order.first_satisfaction = satisfaction
    order.dissatisfaction_reason = data.get("dissatisfaction_reason") or ""
    ctx.payload.update(satisfaction=satisfaction, dissatisfaction_reason=order.dissatisfaction_reason)
    if satisfaction != Satisfaction.UNSATISFIED:
        _close(order, ctx.now, Outcome.RESOLVED)
        ctx.target = Status.CLOSED
    elif (
        order.dissatisfaction_reason == DissatisfactionReason.RESULT_NOT_ACCEPTED_POLICY
        or order.reopen_count >= settings.REOPEN_SUPERVISION_AFTER
    ):
        # Policy disputes and orders already reopened too often go to a supervisor (督办).
        order.needs_supervisor_decision = True
        if order.reopen_count >= settings.REOPEN_SUPERVISION_AFTER:
            order.is_supervised = True
        ctx.payload["supervisor_decides"] = True
    else:
        _reopen_to_processing(ctx)


def _decide_callback(ctx: Context) -> None:
    order = ctx.order
    if not order.needs_supervisor_decision:
        _refuse(_("This order is not waiting for a supervisor's decision."), code="no_decision_pending")
    order.needs_supervisor_decision = False
    ctx.payload.update(reopen=ctx.data["reopen"], comment=ctx.data["comment"])
    if ctx.data["reopen"]:
        _reopen_to_processing(ctx)
    else:
        _close(order, ctx.now, Outcome.EXPLAINED)
        ctx.target = Status.CLOSED


def _reopen(ctx: Context) -> None:
    order = ctx.order
    if order.department_id is None or order.outcome in UNHANDLED_OUTCOMES:
        _refuse(_("Only an order that was handled by a department can be reopened."), code="not_reopenable")
    window = timedelta(days=settings.REOPEN_WINDOW_DAYS)
    if order.closed_at and ctx.now - order.closed_at > window:
        _refuse(
            _("This order was closed more than %(days)d days ago; log a new complaint instead.")
            % {"days": settings.REOPEN_WINDOW_DAYS},
            code="reopen_window_passed",
        )
    ctx.payload["reason"] = ctx.data["reason"]
    order.satisfaction = order.dissatisfaction_reason = ""
    _reopen_to_processing(ctx)


def _request_extension(ctx: Context) -> None:
    order, data = ctx.order, ctx.data
    if order.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        _refuse(
            _("An extension request for this order is already waiting for a decision."),
            code="extension_pending",
        )
    if order.extended_until and ctx.now > order.extended_until:
        _refuse(
            _("The deadline has passed; an extension must be requested before it."), code="deadline_passed"
        )
    # An extension is asked for before the reply deadline (domain.md §3 A10); the deadline
    # concern holds the reply clock once the request is filed.
    reply_rows = Deadline.objects.open().filter(order=order, stage=Stage.REPLY)
    if any(row.breached_at is not None or ctx.now >= row.due_at for row in reply_rows):
        _refuse(
            _("The reply deadline has passed; an extension must be requested before it."),
            code="deadline_passed",
        )
    req = ExtensionRequest.objects.create(
        order=order,
        requested_by=ctx.actor,
        requested_due_at=data["requested_due_at"],
        reason=data["reason"],
        basis=data["basis"],
        created_at=ctx.now,
    )
    ctx.payload.update(request=req.pk, requested_due_at=data["requested_due_at"], reason=data["reason"])


def _decide_extension(ctx: Context) -> None:
    order = ctx.order
    req = order.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()
    if req is None:
        _refuse(_("There is no pending extension request for this order."), code="no_extension_pending")
    ceiling = Deadline.objects.open().filter(order=order, stage=Stage.REGULATORY).order_by("due_at").first()
    beyond = bool(ctx.data["approve"] and ceiling is not None and req.requested_due_at > ceiling.due_at)
    if beyond and not ctx.data.get("beyond_regulatory"):
        _refuse(
            _(
                "The requested time %(requested)s is after the regulatory limit of this channel "
                "(%(limit)s). Confirm that you approve it beyond the limit, or refuse the request."
            )
            % {
                "requested": date_format(timezone.localtime(req.requested_due_at), "Y-m-d H:i"),
                "limit": date_format(timezone.localtime(ceiling.due_at), "Y-m-d H:i"),
            },
            code="extension_beyond_regulatory",
        )
    req.state = ExtensionRequest.State.APPROVED if ctx.data["approve"] else ExtensionRequest.State.REFUSED
    req.decided_by, req.decided_at, req.decision_comment = ctx.actor, ctx.now, ctx.data["comment"]
    req.save()
    ctx.payload.update(request=req.pk, approved=ctx.data["approve"], comment=ctx.data["comment"])
    if beyond:
        ctx.payload["beyond_regulatory"] = True
    if ctx.data["approve"]:
        base = order.extended_until or ctx.now
        extra = max(req.requested_due_at - base, timedelta(0))
        order.extension_hours += int(extra.total_seconds() // 3600)
        order.extended_until = req.requested_due_at
        ctx.payload["extended_until"] = req.requested_due_at


def _urge(ctx: Context) -> None:
    order = ctx.order
    order.urge_count += 1
    ctx.payload.update(count=order.urge_count, comment=ctx.data["comment"])
    if order.urge_count >= settings.URGE_FLAG_AT and not order.upgrade_tendency:
        order.upgrade_tendency = True
        ctx.payload["upgrade_tendency"] = True
    if order.urge_count == settings.URGE_ESCALATE_AT:
        ctx.payload["level_from"] = order.level
        order.level = level_up(order.level)
        order.is_supervised = True
        ctx.payload["level_to"] = order.level


def _internal_urge(ctx: Context) -> None:
    """内部催办: the centre (a dispatcher, supervisor or manager) urges the handling department. Kept
    apart from the customer's urging: it neither raises the level nor flags an upgrade tendency, and
    it counts in the department's figures (``internal_urged``)."""
    order = ctx.order
    order.internal_urge_count += 1
    ctx.payload.update(
        count=order.internal_urge_count,
        comment=ctx.data["comment"],
        department=order.department_id,
        department_name=order.department.name if order.department_id else "",
    )


def _escalate(ctx: Context) -> None:
    order = ctx.order
    if order.level == Level.SPECIAL:
        _refuse(_("The order is already at the highest level."), code="already_highest_level")
    ctx.payload.update(level_from=order.level, comment=ctx.data["comment"])
    order.level = level_up(order.level)
    order.is_escalated = True
    ctx.payload["level_to"] = order.level


def _note(ctx: Context) -> None:
    ctx.payload["comment"] = ctx.data["comment"]


def _attach(ctx: Context) -> None:
    upload = ctx.data["file"]
    att = Attachment.objects.create(
        order=ctx.order,
        file=upload,
        original_name=upload.name[:255],
        size=upload.size,
        content_type=getattr(upload, "content_type", "") or "",
        comment=ctx.data["comment"],
        uploaded_by=ctx.actor,
        created_at=ctx.now,
    )
    ctx.payload.update(attachment=att.pk, name=att.original_name, size=att.size)


def supervision_open(order: WorkOrder) -> Deadline | None:
    """The order's open 督办 (its ``supervision`` deadline row not yet answered), if any. Read from
    the order's prefetched deadlines when the caller loaded them (the detail pages do)."""
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("deadlines")
    if prefetched is not None:
        rows = [r for r in prefetched if r.stage == Stage.SUPERVISION and r.is_open]
        return max(rows, key=lambda r: (r.created_at, r.pk), default=None)
    return order.deadlines.open().filter(stage=Stage.SUPERVISION).order_by("-created_at").first()


def _supervise(ctx: Context) -> None:
    """督办: a supervisor or manager tells the handling department what it must do and by when it
    must answer; the answer is a deadline stage of its own (reminded, breached, escalated)."""
    order = ctx.order
    if order.department_id is None:
        _refuse(
            _("Assign the order first: a supervision is answered by the handling department."),
            code="not_dispatched",
        )
    if supervision_open(order) is not None:
        _refuse(
            _("This order is already under supervision: wait for the department's answer."),
            code="supervision_pending",
        )
    order.is_supervised = True
    ctx.payload.update(requirements=ctx.data["requirements"], department=order.department_id)
    if ctx.data.get("due_at"):
        ctx.payload["due_at"] = ctx.data["due_at"].isoformat()


def _answer_supervision(ctx: Context) -> None:
    if supervision_open(ctx.order) is None:
        _refuse(_("There is no supervision to answer on this order."), code="no_supervision")
    ctx.payload["comment"] = ctx.data["comment"]


# 12398 (the energy regulator) and 12345 (the government hotline): orders the platform transferred,
# whose reply goes back to it by its own limit (the ``platform`` deadline stage).


def is_platform_order(order: WorkOrder) -> bool:
    return order.channel in PLATFORM_CHANNELS


def _platform_reply(ctx: Context) -> None:
    """The reply sent back to the platform (who and when are the event's), once the reply is approved."""
    order = ctx.order
    if not is_platform_order(order):
        _refuse(_("Only 12398 and 12345 orders are replied to a platform."), code="not_platform")
    if order.platform_replied_at is not None:
        _refuse(_("The reply was already sent to the platform."), code="already_replied")
    if order.outcome in UNHANDLED_OUTCOMES:
        _refuse(_("This order was closed without a reply (merged or not established)."), code="no_reply")
    order.platform_replied_at = ctx.now
    ctx.payload.update(reply=ctx.data["reply"], external_ref=order.complaint.external_ref)


def _platform_evaluation(ctx: Context) -> None:
    """The platform's evaluation of the reply (its own satisfaction survey), recorded once."""
    order = ctx.order
    if not is_platform_order(order) or order.platform_replied_at is None:
        _refuse(_("Record the reply sent to the platform first."), code="not_replied_to_platform")
    if order.platform_evaluation:
        _refuse(_("The platform's evaluation is already recorded."), code="already_evaluated")
    order.platform_evaluation = ctx.data["evaluation"]
    ctx.payload.update(evaluation=ctx.data["evaluation"], comment=ctx.data["comment"])


def _suspend(ctx: Context) -> None:
    """挂起 asked for by the handling department: the clocks run on until a supervisor approves."""
    order = ctx.order
    if order.suspended_at is not None:
        _refuse(_("This order is already suspended."), code="suspended")
    if order.suspend_requested_at is not None:
        _refuse(_("A suspension of this order is already waiting for a decision."), code="suspend_pending")
    if _extension_pending(order):
        _refuse(_("Decide the pending extension request first."), code="extension_pending")
    order.suspend_requested_at = ctx.now
    order.suspended_until = ctx.data.get("until")
    ctx.payload["reason"] = ctx.data["reason"]
    if order.suspended_until:
        ctx.payload["until"] = order.suspended_until.isoformat()


def _decide_suspend(ctx: Context) -> None:
    """A supervisor approves (every clock stops now) or refuses the suspension asked for."""
    order = ctx.order
    if order.suspend_requested_at is None:
        _refuse(_("There is no suspension request to decide."), code="no_suspend_request")
    approved = ctx.data["approved"]
    order.suspend_requested_at = None
    if approved:
        order.suspended_at = ctx.now
        order.suspend_count += 1
    else:
        order.suspended_until = None
    ctx.payload.update(approved=approved, comment=ctx.data["comment"])


def _resume(ctx: Context) -> None:
    """恢复: the clocks run again, each due time moved by the time the order was suspended."""
    order, actor = ctx.order, ctx.actor
    if order.suspended_at is None:
        _refuse(_("This order is not suspended."), code="not_suspended")
    if actor is not None and not actor.has_role(Role.SUPERVISOR) and not is_handling_department(actor, order):
        _refuse(
            _("Only the department now handling this order may do this: %(action)s.")
            % {"action": _("Resume")},
            code="not_your_department",
        )
    ctx.payload.update(
        comment=ctx.data["comment"],
        suspended_at=order.suspended_at.isoformat(),
        suspended_seconds=int((ctx.now - order.suspended_at).total_seconds()),
    )
    order.suspended_at = order.suspended_until = None


def _terminate(ctx: Context) -> None:
    """服务终止 (domain.md §8.3): a supervisor closes the order with that outcome, the case having been
    handled under the rules (or being in court) while the customer's demands still exceed them."""
    order = ctx.order
    _close(order, ctx.now, Outcome.SERVICE_TERMINATED)
    order.suspend_requested_at = order.suspended_at = order.suspended_until = None
    order.needs_supervisor_decision = False
    ctx.payload["reason"] = ctx.data["reason"]


# While an order is suspended only these go on (the rest waits for ``resume``).
WHILE_SUSPENDED = frozenset(
    {"resume", "terminate", "note", "attach", "urge", "escalate", "supervise", "answer_supervision", "assist"}
)


def _own_new_order(order: WorkOrder, user: User) -> bool:
    """An order this agent has just taken down, not yet routed: urging it makes no sense."""
    return order.received_by_id == user.pk and order.status in (Status.INTAKE, Status.CLASSIFICATION)


def _extension_pending(order: WorkOrder) -> bool:
    return order.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists()


# --- the table -----------------------------------------------------------------------------------

EVERYONE = frozenset(Role.values)
OPEN = tuple(OPEN_STATUSES)
S = Status
# A 督办 is answered by the handling department: it needs one (before dispatch the dispatch clock
# and the dispatchers' queue cover the order).
SUPERVISABLE = (S.PROCESSING, S.REVIEW, S.CALLBACK)

ACTIONS: dict[str, Action] = {
    a.code: a
    for a in [
        Action(
            "submit", gettext_lazy("Submit"), (S.INTAKE,), S.CLASSIFICATION, frozenset({Role.AGENT}), _submit
        ),
        Action(
            "classify",
            gettext_lazy("Classify"),
            (S.CLASSIFICATION,),
            S.ASSIGNMENT,
            frozenset({Role.DISPATCHER}),
            _classify,
            inputs.ClassifyInput,
        ),
        Action(
            "dismiss",
            gettext_lazy("Dismiss (not established)"),
            (S.CLASSIFICATION,),
            S.CLOSED,
            frozenset({Role.SUPERVISOR}),
            _dismiss,
            inputs.ReasonInput,
            destructive=True,
        ),
        Action(
            "merge",
            gettext_lazy("Merge into another order"),
            (S.INTAKE, S.CLASSIFICATION),
            S.CLOSED,
            frozenset({Role.DISPATCHER}),
            _merge,
            inputs.MergeInput,
            destructive=True,
            also_lock=_merge_lock,
        ),
        Action(
            "assign",
            gettext_lazy("Assign"),
            (S.ASSIGNMENT,),
            S.PROCESSING,
            frozenset({Role.DISPATCHER}),
            _assign,
            inputs.AssignInput,
        ),
        Action(
            "accept",
            gettext_lazy("Accept"),
            (S.PROCESSING,),
            None,
            frozenset({Role.HANDLER}),
            _accept,
            handling_department_only=True,
            offered=lambda o: o.accepted_at is None,
        ),
        Action(
            "contact",
            gettext_lazy("Record contact"),
            (S.PROCESSING,),
            None,
            frozenset({Role.HANDLER}),
            _contact,
            inputs.ContactInput,
            handling_department_only=True,
            offered=lambda o: o.accepted_at is not None,
        ),
        Action(
            "return",
            gettext_lazy("Return to dispatch"),
            (S.PROCESSING,),
            S.ASSIGNMENT,
            frozenset({Role.HANDLER}),
            _return,
            inputs.ReasonInput,
            handling_department_only=True,
            destructive=True,
            offered=lambda o: o.first_contact_at is None,
        ),
        Action(
            "reply",
            gettext_lazy("Submit reply"),
            (S.PROCESSING,),
            S.REVIEW,
            frozenset({Role.HANDLER}),
            _reply,
            inputs.ReplyInput,
            handling_department_only=True,
            # Not while assisting parts are pending (协办): the page lists them instead.
            offered=lambda o: (
                o.first_contact_at is not None and o.accepted_at is not None and not assists_pending(o)
            ),
        ),
        Action(
            "approve",
            gettext_lazy("Approve"),
            (S.REVIEW,),
            S.CALLBACK,
            frozenset({Role.SUPERVISOR}),
            _approve,
            inputs.CommentInput,
        ),
        Action(
            "reject",
            gettext_lazy("Reject"),
            (S.REVIEW,),
            S.PROCESSING,
            frozenset({Role.SUPERVISOR}),
            _reject,
            inputs.ReasonInput,
        ),
        Action(
            "callback",
            gettext_lazy("Record callback"),
            (S.CALLBACK,),
            None,
            frozenset({Role.AGENT}),
            _callback,
            inputs.CallbackInput,
            offered=lambda o: not o.needs_supervisor_decision,
            via=tuple(CALLBACK_VIA),
        ),
        Action(
            "decide_callback",
            gettext_lazy("Decide after callback"),
            (S.CALLBACK,),
            None,
            frozenset({Role.SUPERVISOR}),
            _decide_callback,
            inputs.DecideCallbackInput,
            offered=lambda o: o.needs_supervisor_decision,
        ),
        Action(
            "reopen",
            gettext_lazy("Reopen"),
            (S.CLOSED,),
            S.PROCESSING,
            frozenset({Role.SUPERVISOR}),
            _reopen,
            inputs.ReasonInput,
            destructive=True,
            offered=lambda o: o.department_id is not None and o.outcome not in UNHANDLED_OUTCOMES,
        ),
        Action(
            "request_extension",
            gettext_lazy("Request extension"),
            (S.PROCESSING,),
            None,
            frozenset({Role.HANDLER}),
            _request_extension,
            inputs.ExtensionInput,
            handling_department_only=True,
            offered=lambda o: not _extension_pending(o),
        ),
        Action(
            "decide_extension",
            gettext_lazy("Decide extension"),
            (S.PROCESSING,),
            None,
            frozenset({Role.SUPERVISOR}),
            _decide_extension,
            inputs.DecideExtensionInput,
            offered=lambda o: _extension_pending(o),
        ),
        Action(
            "urge",
            gettext_lazy("Urge"),
            OPEN,
            None,
            frozenset({Role.AGENT}),
            _urge,
            inputs.CommentInput,
            offered_to=lambda o, user: not _own_new_order(o, user),
        ),
        Action(
            "internal_urge",
            gettext_lazy("Urge the department (催办)"),
            (S.PROCESSING,),
            None,
            frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER}),
            _internal_urge,
            inputs.InternalUrgeInput,
            offered=lambda o: o.department_id is not None,
        ),
        Action(
            "escalate",
            gettext_lazy("Escalate"),
            OPEN,
            None,
            frozenset({Role.SUPERVISOR}),
            _escalate,
            inputs.EscalateInput,  # the comment is the reason: required (design.md)
            destructive=True,  # a level change is confirmed, like a return
        ),
        Action(
            "supervise",
            gettext_lazy("Supervise (督办)"),
            SUPERVISABLE,
            None,
            frozenset({Role.SUPERVISOR, Role.MANAGER}),
            _supervise,
            inputs.SuperviseInput,
            offered=lambda o: o.department_id is not None and supervision_open(o) is None,
        ),
        Action(
            "answer_supervision",
            gettext_lazy("Answer the supervision"),
            SUPERVISABLE,
            None,
            frozenset({Role.HANDLER}),
            _answer_supervision,
            inputs.AnswerSupervisionInput,
            handling_department_only=True,
            offered=lambda o: supervision_open(o) is not None,
        ),
        Action(
            "assist",
            gettext_lazy("Submit assisting part (协办)"),
            (S.PROCESSING,),
            None,
            frozenset({Role.HANDLER}),
            _assist,
            inputs.AssistInput,
            offered_to=lambda o, user: _my_pending_assist(o, user) is not None,
        ),
        Action(
            "waive_assist",
            gettext_lazy("Waive an assisting part"),
            (S.PROCESSING,),
            None,
            frozenset({Role.DISPATCHER}),
            _waive_assist,
            inputs.DepartmentReasonInput,
            offered=assists_pending,
        ),
        Action(
            "transfer",
            gettext_lazy("Transfer (转办)"),
            (S.PROCESSING,),
            None,
            frozenset({Role.HANDLER, Role.DISPATCHER}),
            _transfer,
            inputs.DepartmentReasonInput,
            destructive=True,
            offered_to=lambda o, user: (
                user.has_role(Role.DISPATCHER)
                or (is_handling_department(user, o) and o.first_contact_at is None)
            ),
        ),
        Action(
            "platform_reply",
            gettext_lazy("Record reply to the platform"),
            (S.CALLBACK, S.CLOSED),
            None,
            frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR}),
            _platform_reply,
            inputs.PlatformReplyInput,
            offered=lambda o: (
                is_platform_order(o) and o.platform_replied_at is None and o.outcome not in UNHANDLED_OUTCOMES
            ),
        ),
        Action(
            "platform_evaluation",
            gettext_lazy("Record the platform's evaluation"),
            (S.CALLBACK, S.CLOSED),
            None,
            frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR}),
            _platform_evaluation,
            inputs.PlatformEvaluationInput,
            offered=lambda o: (
                is_platform_order(o) and o.platform_replied_at is not None and not o.platform_evaluation
            ),
        ),
        Action(
            "suspend",
            gettext_lazy("Suspend (挂起)"),
            (S.PROCESSING,),
            None,
            frozenset({Role.HANDLER}),
            _suspend,
            inputs.SuspendInput,
            handling_department_only=True,
            offered=lambda o: o.suspended_at is None and o.suspend_requested_at is None,
        ),
        Action(
            "decide_suspend",
            gettext_lazy("Decide suspension"),
            (S.PROCESSING,),
            None,
            frozenset({Role.SUPERVISOR}),
            _decide_suspend,
            inputs.DecideSuspendInput,
            offered=lambda o: o.suspend_requested_at is not None,
        ),
        Action(
            "resume",
            gettext_lazy("Resume (恢复)"),
            (S.PROCESSING,),
            None,
            frozenset({Role.HANDLER, Role.SUPERVISOR}),
            _resume,
            inputs.CommentInput,
            offered=lambda o: o.suspended_at is not None,
        ),
        Action(
            "terminate",
            gettext_lazy("Terminate service (服务终止)"),
            (S.PROCESSING, S.CALLBACK),
            S.CLOSED,
            frozenset({Role.SUPERVISOR}),
            _terminate,
            inputs.ReasonInput,
            destructive=True,
        ),
        Action("note", gettext_lazy("Add note"), ANY, None, EVERYONE, _note, inputs.RequiredCommentInput),
        Action("attach", gettext_lazy("Attach file"), ANY, None, EVERYONE, _attach, inputs.AttachInput),
    ]
}


# What an order waits for, in priority order: the first group with an action the user is offered
# is the step the pages open by default. Urge, escalate and the destructive actions are never
# a default step.
NEXT_STEPS: tuple[tuple[str, ...], ...] = (
    ("submit",),
    ("classify",),
    ("assign",),
    ("accept",),
    ("answer_supervision",),  # a 督办 waits for the department's answer before anything else
    ("decide_suspend",),
    ("resume",),
    ("reply",),  # after the first contact (``reply`` is offered only then)
    ("contact",),  # after accepting
    ("approve", "reject"),
    ("decide_extension",),
    ("callback",),
    ("decide_callback",),
)


def next_step(codes: Iterable[str]) -> tuple[str, ...]:
    """The action codes (among ``codes``, those offered to a user) the order waits for from them."""
    offered = set(codes)
    for group in NEXT_STEPS:
        found = tuple(code for code in group if code in offered)
        if found:
            return found
    return ()
