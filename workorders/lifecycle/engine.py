"""``perform()``: the only code that changes an order's status, and ``available_actions()``.

In one transaction ``perform`` locks the row, checks scope, role, version, state, department and
four eyes (nobody decides on their own work: ``four_eyes``), validates the input, applies the
action, bumps the version and writes the audit event (``events.write_event``, which runs the hooks
and so the effects each concern declared for the action). Every refusal is a ``DomainError`` (bad
input too: ``code="invalid"`` with the field errors) and changes nothing. The API, the admin and
the pages all call ``perform()`` and ask ``available_actions()`` what to offer.
"""

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import DomainError

from ..models import WorkOrder
from ..selectors import is_handling_department, workorders_visible_to
from .actions import ACTIONS, WHILE_SUSPENDED, Action, Context, _refuse
from .events import write_event
from .four_eyes import own_work

# --- checks and the one function ------------------------------------------------------------------


def _check_actor(action: Action, order: WorkOrder, actor: User | None) -> None:
    """Raise 403 unless the actor's role (and department, where the action asks) allows it."""
    _check_role(action, actor)
    _check_department(action, order, actor)


def _check_role(action: Action, actor: User | None) -> None:
    if actor is None:  # the system (deadline sweeps): every check but the state one is waived
        return
    if not actor.roles & action.roles:
        _refuse(
            _("Your role may not do this: %(action)s.") % {"action": action.label},
            code="permission_denied",
        )


def _check_department(action: Action, order: WorkOrder, actor: User | None) -> None:
    # Checked after the state: an order in the wrong state is refused with 409 for that reason,
    # even when it no longer sits with the actor's department (a returned order, for instance).
    if actor is None:
        return
    if action.handling_department_only and not is_handling_department(actor, order):
        _refuse(
            _("Only the department now handling this order may do this: %(action)s.")
            % {"action": action.label},
            code="not_your_department",
        )


def _check_state(action: Action, order: WorkOrder) -> None:
    if order.status not in action.sources:
        _refuse(
            _("Cannot %(action)s an order in state “%(status)s”.")
            % {"action": str(action.label).lower(), "status": order.get_status_display()}
        )
    if order.suspended_at is not None and action.code not in WHILE_SUSPENDED:
        _refuse(_("The order is suspended: resume it first."), code="suspended")


def _check_four_eyes(
    action: Action, order: WorkOrder, actor: User | None, *, memo: dict | None = None
) -> None:
    """Refuse (409 ``four_eyes``) an actor deciding on their own work (``four_eyes.FOUR_EYES``)."""
    rule = own_work(action.code, order, actor.pk if actor is not None else None, memo=memo)
    if rule is not None:
        _refuse(rule.message, code="four_eyes")


def available_actions(order: WorkOrder, actor: User, *, keep: str | None = None) -> list[Action]:
    """The actions this user may take on this order now (what the UI offers).

    ``keep`` names an action to list even when the order's facts do not invite it (the form the
    user just sent and was refused, so the page can show it again with what they typed).
    """
    result = []
    memo: dict = {}  # each author lookup of the four-eyes rule once for the order
    for action in ACTIONS.values():
        try:
            _check_actor(action, order, actor)
            _check_state(action, order)
        except DomainError:
            continue
        if not (action.offered is None or action.code == keep or action.offered(order)):
            continue
        if action.offered_to is not None and action.code != keep and not action.offered_to(order, actor):
            continue
        try:
            _check_four_eyes(action, order, actor, memo=memo)
        except DomainError:
            continue
        result.append(action)
    return result


def validate_input(action: Action, data: Mapping, *, context: dict | None = None) -> dict:
    """The action's input, validated; ``DomainError.invalid`` (the field errors) when it is not."""
    serializer = action.input(data=data, context=context or {})
    if not serializer.is_valid():
        raise DomainError.invalid(serializer.errors)
    return dict(serializer.validated_data)


def perform(
    order_id: int,
    action_code: str,
    *,
    actor: User | None,
    version: int | None = None,
    data: Mapping | None = None,
    now: datetime | None = None,
    via: str | None = None,
) -> WorkOrder:
    """Apply one action to one order, atomically. ``actor=None`` means the system.

    ``via`` names the system path that takes the action on someone's behalf when that is not a
    user (``"sms_survey"``: the customer's answer to the SMS survey, issue 15); the action records
    it on the event and may refuse a path it does not take. Only code passes it, never input.

    Raises only ``DomainError`` (``not_found`` outside scope, ``permission_denied`` or
    ``not_your_department``, ``stale_version`` or ``illegal_transition``, ``four_eyes`` for a
    decision on the actor's own work, ``invalid`` input, or the action's own rule); nothing is
    changed then.
    """
    action = ACTIONS.get(action_code)
    if action is None:
        _refuse(_("Unknown action."), code="unknown_action")
    if via is not None and via not in action.via:
        _refuse(_("This action cannot be taken this way."), code="permission_denied")
    now = now or timezone.now()
    with transaction.atomic():
        scope = WorkOrder.objects.all() if actor is None else workorders_visible_to(actor)
        if not scope.filter(pk=order_id).exists():
            _refuse(_("Work order not found."), code="not_found")
        # of=("self",): lock the order row only (the department join is nullable, an outer join).
        order = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("complaint", "department")
            .get(pk=order_id)
        )
        _check_role(action, actor)
        if version is not None and int(version) != order.version:
            _refuse(
                _(
                    "This order was changed by someone else meanwhile (version %(now)d, you had %(had)d). "
                    "Reload it and try again."
                )
                % {"now": order.version, "had": int(version)},
                code="stale_version",
            )
        _check_state(action, order)
        _check_department(action, order, actor)
        _check_four_eyes(action, order, actor)
        validated = validate_input(action, data if data is not None else {}, context={"order": order})
        locked = {}
        if action.also_lock:
            others = [pk for pk in action.also_lock(validated) if pk != order.pk]
            visible = scope.filter(pk__in=others).values("pk")
            locked = {
                o.pk: o for o in WorkOrder.objects.select_for_update().filter(pk__in=visible).order_by("pk")
            }
        ctx = Context(order=order, actor=actor, data=validated, now=now, locked=locked, via=via)
        from_status = order.status
        action.apply(ctx)
        order._in_transition = True
        order.status = ctx.target or action.target or from_status
        order.version += 1
        order.save()
        order._in_transition = False
        write_event(order, action.code, actor=actor, payload=ctx.payload, from_status=from_status, now=now)
    return order
