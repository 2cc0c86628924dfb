"""Outage events and bulk handling of the orders they cause (issue 16, item 6): the writes.

The rules, in one place:

- **Who.** Dispatchers (and administrators) enter outages, in the pages or through
  ``POST /api/v1/outages/``; the distribution system posts with the token of a user holding the
  dispatcher role (a service account, e.g. ``dms``, made in the admin), and its own outage id as
  ``external_ref``: a repeated post with the same id is the same outage (its restore times and cause
  are refreshed, nothing is created twice). Everyone signed in may see the outages; the orders under
  an outage are only those the viewer may see (``workorders_visible_to``), so a handler sees, counts
  and acts on its own department's orders only.
- **Suggestion.** The area is a list of place names (comma, 、 or semicolon separated; names shorter
  than two characters are ignored). An outage is suggested for a complaint when one of its places
  appears (as a substring) in the complaint's address or content and the complaint was received in
  the window ``started_at - 2 h`` … ``(restored_at or expected_restore_at or now) + 24 h``. The
  score is the number of places that matched. Nothing else counts. Suggestions are shown at intake,
  on the order page and on the outage page; an order is *linked* only when a dispatcher confirms it
  (``outage_link``). ``outage_record_suggestions`` stores the current suggestions as unconfirmed
  links (done when an outage is entered) so they wait on the outage page for confirmation.
- **Bulk handling.** One action over chosen confirmed orders of an outage, with one text. Each order
  goes through ``workorders.lifecycle.perform()`` on its own (its own transaction, one event per
  order, every rule of the lifecycle kept); a refused order is reported with its code and reason and
  does not stop the others. The actions:

  ``assign``  the lifecycle's ``assign`` (dispatcher): ``department`` (and optional ``assignee``);
              orders not in assignment are refused by the table. ``assign`` records no text.
  ``reply``   the lifecycle's ``reply``: the reply must come from a handler of the department now
              holding each order (the lifecycle's rule), so the bulk reply is offered to handlers,
              not dispatchers; ``text`` is the reply to the customer, with one ``cause``
              (default: the outage's cause), ``measures`` and ``truthfulness``. Orders not yet
              accepted and contacted are refused, as they would be one by one.
  ``close``   the supervisor's ``approve`` of a reply in review, ``text`` as the comment. That is all
              "close" may honestly do in bulk: the callback (回访) of each customer stays a real
              call recorded per order, never faked; orders in any other state are refused.

  A repeated request with the same ``Idempotency-Key`` header (API) or form token (page) from the
  same user answers the first run's result and acts no more (``OutageBulkRun``).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, User
from accounts.roles import Role
from config.errors import DomainError
from workorders.lifecycle import perform
from workorders.selectors import workorders_visible_to

from .models import OutageBulkRun, OutageEvent, OutageLink, OutageSource
from .selectors import orders_matching_outage

ENTER_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})  # enter outages and link orders
# bulk action -> (lifecycle action, role that may take it)
BULK_ACTIONS = {
    "assign": ("assign", Role.DISPATCHER),
    "reply": ("reply", Role.HANDLER),
    "close": ("approve", Role.SUPERVISOR),
}


def _require(user: User, roles) -> None:
    if user is None or not user.has_role(*roles):
        raise DomainError(_("Your role may not do this."), code="permission_denied")


@transaction.atomic
def outage_create(
    *,
    actor: User,
    area: str,
    started_at: datetime,
    expected_restore_at: datetime | None = None,
    restored_at: datetime | None = None,
    cause: str = "",
    unit: Department | None = None,
    source: str = OutageSource.MANUAL,
    external_ref: str | None = None,
) -> tuple[OutageEvent, bool]:
    """Enter an outage (or, for a known ``external_ref``, refresh it); returns (outage, created)."""
    _require(actor, ENTER_ROLES)
    area = area.strip()
    if not area:
        raise DomainError(_("Name the area."), code="invalid", fields={"area": [_("Name the area.")]})
    end = restored_at or expected_restore_at
    if end is not None and end < started_at:
        raise DomainError(
            _("The restore time is before the start."),
            code="invalid",
            fields={"expected_restore_at": [_("The restore time is before the start.")]},
        )
    external_ref = (external_ref or "").strip() or None
    if external_ref:
        existing = OutageEvent.objects.select_for_update().filter(external_ref=external_ref).first()
        if existing is not None:
            existing.expected_restore_at = expected_restore_at or existing.expected_restore_at
            existing.restored_at = restored_at or existing.restored_at
            existing.cause = cause or existing.cause
            existing.save(update_fields=["expected_restore_at", "restored_at", "cause"])
            return existing, False
    outage = OutageEvent.objects.create(
        area=area,
        unit=unit,
        started_at=started_at,
        expected_restore_at=expected_restore_at,
        restored_at=restored_at,
        cause=cause,
        source=source,
        external_ref=external_ref,
        created_by=actor,
    )
    outage_record_suggestions(outage=outage, actor=actor)
    return outage, True


def outage_record_suggestions(*, outage: OutageEvent, actor: User | None = None, now=None) -> int:
    """Store the orders that match the outage now as unconfirmed links; returns how many are new."""
    now = now or timezone.now()
    made = 0
    for order_id, score in orders_matching_outage(outage, now=now):
        _link, created = OutageLink.objects.get_or_create(
            outage=outage,
            order_id=order_id,
            defaults={"linked_by": actor, "linked_at": now, "confirmed": False, "suggested_score": score},
        )
        made += created
    return made


@dataclass
class LinkResult:
    linked: list[int] = field(default_factory=list)  # newly linked or confirmed now
    already: list[int] = field(default_factory=list)  # were linked and confirmed before
    refused: list[dict] = field(default_factory=list)  # {id, code, detail}

    def as_dict(self) -> dict:
        return {"linked": self.linked, "already": self.already, "refused": self.refused}


@transaction.atomic
def outage_link(*, actor: User, outage: OutageEvent, order_ids: list[int], now=None) -> LinkResult:
    """Confirm orders as caused by the outage. Idempotent: a linked order stays linked once."""
    _require(actor, ENTER_ROLES)
    now = now or timezone.now()
    result = LinkResult()
    visible = set(workorders_visible_to(actor).filter(pk__in=order_ids).values_list("pk", flat=True))
    scores = dict(orders_matching_outage(outage, now=now, order_ids=visible))
    for pk in dict.fromkeys(order_ids):
        if pk not in visible:
            result.refused.append({"id": pk, "code": "not_found", "detail": _("Work order not found.")})
            continue
        link, created = OutageLink.objects.select_for_update().get_or_create(
            outage=outage,
            order_id=pk,
            defaults={
                "linked_by": actor,
                "linked_at": now,
                "confirmed": True,
                "suggested_score": scores.get(pk, 0),
            },
        )
        if created:
            result.linked.append(pk)
        elif not link.confirmed:
            link.confirmed, link.linked_by, link.linked_at = True, actor, now
            link.save(update_fields=["confirmed", "linked_by", "linked_at"])
            result.linked.append(pk)
        else:
            result.already.append(pk)
    return result


def _lifecycle_data(action: str, data: dict, outage: OutageEvent) -> dict:
    text = (data.get("text") or "").strip()
    if action == "assign":
        body = {"department": data.get("department")}
        if data.get("assignee"):
            body["assignee"] = data["assignee"]
        return body
    if action == "reply":
        return {
            "reply": text,
            "cause": (data.get("cause") or "").strip() or outage.cause or outage.area,
            "measures": data.get("measures") or "",
            "truthfulness": data.get("truthfulness") or "",
            "responsible_department": data.get("responsible_department") or None,
        }
    return {"comment": text}


def _refusal(pk: int, exc: DomainError) -> dict:
    detail = str(exc.message if hasattr(exc, "message") else exc)
    fields = getattr(exc, "fields", None)
    if fields:
        detail = "; ".join(f"{', '.join(str(m) for m in msgs)}" for msgs in fields.values()) or detail
    return {"id": pk, "code": exc.code, "detail": detail}


def outage_bulk(
    *,
    actor: User,
    outage: OutageEvent,
    action: str,
    order_ids: list[int] | None,
    data: dict,
    key: str = "",
) -> tuple[dict, bool]:
    """Apply one bulk action to the outage's confirmed orders (all, or ``order_ids``), one by one.

    Returns (result, replayed): ``{action, succeeded: [{id, tracking_no, status}], refused: [{id,
    code, detail}]}``. Not atomic on purpose: each order is its own transaction.
    """
    if action not in BULK_ACTIONS:
        raise DomainError(_("Unknown action."), code="unknown_action")
    lifecycle_action, role = BULK_ACTIONS[action]
    _require(actor, {role})
    key = (key or "").strip()
    if len(key) > 255:
        raise DomainError(_("The idempotency key is too long."), code="invalid")
    run = None
    if key:
        try:
            with transaction.atomic():
                run = OutageBulkRun.objects.create(
                    outage=outage, actor=actor, key=key, action=action, data=_jsonable(data)
                )
        except IntegrityError:
            first = OutageBulkRun.objects.get(actor=actor, key=key)
            if not first.result:
                raise DomainError(_("This request is still being handled."), code="in_progress") from None
            return first.result, True

    linked = OutageLink.objects.filter(outage=outage, confirmed=True)
    scope = workorders_visible_to(actor)
    mine = set(scope.filter(outage_links__in=linked).values_list("pk", flat=True))
    wanted = list(dict.fromkeys(order_ids)) if order_ids else sorted(mine)
    body = _lifecycle_data(action, data, outage)
    result = {"action": action, "succeeded": [], "refused": []}
    for pk in wanted:
        if pk not in mine:
            result["refused"].append(
                {"id": pk, "code": "not_found", "detail": _("No order of this outage with this id.")}
            )
            continue
        try:
            order = perform(pk, lifecycle_action, actor=actor, data=body)
        except DomainError as exc:
            result["refused"].append(_refusal(pk, exc))
            continue
        result["succeeded"].append({"id": pk, "tracking_no": order.tracking_no, "status": order.status})
    if run is not None:
        run.result = result
        run.save(update_fields=["result"])
    return result, False


def _jsonable(data: dict) -> dict:
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
