"""Writes of quality inspection: sampling a week, scoring, appealing, deciding. Each is one
transaction that locks the inspection row, checks the state and the caller's ``version`` (a double
submit is refused with ``stale``/``wrong_state`` and changes nothing), writes an ``InspectionLog``
row and writes its inbox notices (rows of the same transaction: no notice without its action)."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
from accounts.roles import Role

from ..models import Level, Outcome, Satisfaction, Status, WorkOrder
from ..selectors import workorders_visible_to
from .models import (
    QUALITY_ITEMS,
    AppealDecision,
    Inspection,
    InspectionAppeal,
    InspectionLog,
    InspectionRound,
    InspectionState,
    SampleReason,
)
from .selectors import can_appeal, can_decide, can_score, hasattr_appeal, inspections_visible_to

DEFAULT_SAMPLE_PER_PERSON = 2


class QualityError(Exception):
    """A refused quality action: ``code`` for the API, ``message`` for people."""

    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# --- weeks -----------------------------------------------------------------------------------


def parse_week(value: str) -> date:
    """'2026-W49' → the Monday of that ISO week; ValueError when malformed."""
    try:
        year, week = value.strip().upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"not an ISO week (YYYY-Www): {value!r}") from exc


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return week_label(today - timedelta(days=today.weekday() + 7))


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(monday, time.min), tz)
    return start, timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min), tz)


# --- sampling --------------------------------------------------------------------------------


def sample_per_person() -> int:
    return int(getattr(settings, "QUALITY_SAMPLE_PER_PERSON", DEFAULT_SAMPLE_PER_PERSON))


def pick_sample(orders: list[dict], *, per_person: int, seed: str) -> dict[int, list[str]]:
    """The sample of one week's closed orders → {order id: [reasons]}.

    ``orders`` are dicts with id, received_by_id, department_id, satisfaction, first_satisfaction,
    level, sorted by id. Every unsatisfied (at the callback, first or final answer) and every
    special/major order is taken; then, with a random generator seeded by the week, ``per_person``
    orders of each agent and ``per_person`` of each handling department (all of them when fewer).
    """
    rng = random.Random(seed)
    picked: dict[int, list[str]] = {}

    def take(order_id, reason):
        reasons = picked.setdefault(order_id, [])
        if reason not in reasons:
            reasons.append(reason)

    for o in orders:
        if Satisfaction.UNSATISFIED in (o["satisfaction"], o["first_satisfaction"]):
            take(o["id"], SampleReason.UNSATISFIED.value)
        if o["level"] in (Level.SPECIAL, Level.MAJOR):
            take(o["id"], SampleReason.LEVEL.value)
    for key, reason in (("received_by_id", SampleReason.AGENT), ("department_id", SampleReason.DEPARTMENT)):
        groups: dict[int, list[int]] = {}
        for o in orders:
            if o[key] is not None:
                groups.setdefault(o[key], []).append(o["id"])
        for group_key in sorted(groups):
            ids = groups[group_key]
            for order_id in sorted(rng.sample(ids, min(per_person, len(ids)))):
                take(order_id, reason.value)
    return picked


@transaction.atomic
def quality_sample(*, week: str, actor: User | None = None, per_person: int | None = None):
    """Creates the round of ``week`` ('YYYY-Www') and its inspections → (round, inspections created).

    Idempotent: a week that has its round already is left as it is (0 created)."""
    monday = parse_week(week)
    label = week_label(monday)
    per_person = sample_per_person() if per_person is None else per_person
    rnd, created = InspectionRound.objects.get_or_create(
        week=label,
        defaults={
            "week_start": monday,
            "created_by": actor,
            "settings_used": {"per_person": per_person, "items": [[c, m] for c, _l, m in QUALITY_ITEMS]},
        },
    )
    if not created:
        return rnd, 0
    start, end = week_bounds(monday)
    orders = list(
        WorkOrder.objects.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .exclude(outcome=Outcome.MERGED)
        .order_by("id")
        .values("id", "received_by_id", "department_id", "satisfaction", "first_satisfaction", "level")
    )
    by_id = {o["id"]: o for o in orders}
    picked = pick_sample(orders, per_person=per_person, seed=f"quality:{label}")
    now = timezone.now()
    rows = [
        Inspection(
            round=rnd,
            order_id=order_id,
            agent_id=by_id[order_id]["received_by_id"],
            department_id=by_id[order_id]["department_id"],
            reasons=reasons,
            created_at=now,
        )
        for order_id, reasons in sorted(picked.items())
    ]
    made = Inspection.objects.bulk_create(rows, ignore_conflicts=True)
    made = list(Inspection.objects.filter(round=rnd))
    InspectionLog.objects.bulk_create(
        InspectionLog(
            inspection=i, action="sampled", actor=actor, payload={"reasons": i.reasons}, created_at=now
        )
        for i in made
    )
    return rnd, len(made)


# --- scoring, appeal, decision ---------------------------------------------------------------


@dataclass(frozen=True)
class ScoreCheck:
    scores: dict[str, int]
    total: int


def check_scores(raw: dict) -> ScoreCheck:
    """Every item present, a whole number between 0 and its maximum; the total is their sum."""
    scores = {}
    errors = []
    for code, label, maximum in QUALITY_ITEMS:
        value = raw.get(code)
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors.append(_("%(item)s: a whole number is required.") % {"item": label})
            continue
        if not 0 <= value <= maximum:
            errors.append(_("%(item)s: between 0 and %(max)s.") % {"item": label, "max": maximum})
            continue
        scores[code] = value
    if errors:
        raise QualityError("invalid_scores", " ".join(errors), status=400)
    return ScoreCheck(scores=scores, total=sum(scores.values()))


def _locked(user: User, pk: int, version: int | None) -> Inspection:
    inspection = inspections_visible_to(user).select_for_update().filter(pk=pk).first()
    if inspection is None:
        raise QualityError("not_found", _("No such inspection."), status=404)
    if version is not None and int(version) != inspection.version:
        raise QualityError("stale", _("This inspection was changed meanwhile; reload the page."))
    return inspection


def _log(inspection: Inspection, action: str, actor: User, **payload):
    InspectionLog.objects.create(inspection=inspection, action=action, actor=actor, payload=payload)


def _bump(inspection: Inspection, *, state: str, fields: list[str]):
    inspection.state = state
    inspection.version += 1
    inspection.save(update_fields=[*fields, "state", "version"])


@transaction.atomic
def inspection_score(
    *, user: User, inspection_id: int, scores: dict, comment: str = "", version: int | None = None
) -> Inspection:
    inspection = _locked(user, inspection_id, version)
    if not can_score(user, inspection):
        if inspection.state != InspectionState.PENDING:
            raise QualityError("wrong_state", _("This inspection is already scored."))
        raise QualityError("forbidden", _("You may not score this inspection."), status=403)
    checked = check_scores(scores)
    inspection.scores = checked.scores
    inspection.total = checked.total
    inspection.comment = comment.strip()
    inspection.inspector = user
    inspection.scored_at = timezone.now()
    _bump(
        inspection,
        state=InspectionState.SCORED,
        fields=["scores", "total", "comment", "inspector", "scored_at"],
    )
    _log(inspection, "scored", user, scores=checked.scores, total=checked.total)
    notify_scored(inspection.pk)
    return inspection


@transaction.atomic
def inspection_appeal(
    *, user: User, inspection_id: int, reason: str, version: int | None = None
) -> Inspection:
    inspection = _locked(user, inspection_id, version)
    if not can_appeal(user, inspection):
        if hasattr_appeal(inspection) or inspection.state != InspectionState.SCORED:
            raise QualityError("already_appealed", _("This result can be appealed once, after scoring."))
        raise QualityError("forbidden", _("Only the inspected party may appeal."), status=403)
    reason = (reason or "").strip()
    if not reason:
        raise QualityError("reason_required", _("Give the reason for the appeal."), status=400)
    InspectionAppeal.objects.create(
        inspection=inspection, reason=reason, appealed_by=user, original_total=inspection.total
    )
    _bump(inspection, state=InspectionState.APPEALED, fields=[])
    _log(inspection, "appealed", user, reason=reason)
    notify_appealed(inspection.pk)
    return inspection


@transaction.atomic
def inspection_decide(
    *,
    user: User,
    inspection_id: int,
    decision: str,
    new_total: int | None = None,
    comment: str = "",
    version: int | None = None,
) -> Inspection:
    inspection = _locked(user, inspection_id, version)
    if not can_decide(user, inspection):
        if inspection.state != InspectionState.APPEALED:
            raise QualityError("wrong_state", _("There is no appeal waiting for a decision."))
        raise QualityError("forbidden", _("Only a manager decides appeals."), status=403)
    if decision not in AppealDecision.values:
        raise QualityError("invalid_decision", _("Choose to uphold or to change the total."), status=400)
    comment = (comment or "").strip()
    appeal = inspection.appeal
    if decision == AppealDecision.CHANGED:
        maximum = sum(m for _c, _l, m in QUALITY_ITEMS)
        try:
            new_total = int(new_total)
        except (TypeError, ValueError):
            new_total = -1
        if not 0 <= new_total <= maximum:
            raise QualityError(
                "invalid_total",
                _("The new total is a whole number between 0 and %(max)s.") % {"max": maximum},
                400,
            )
        if not comment:
            raise QualityError("comment_required", _("Say why the total is changed."), status=400)
        inspection.total = new_total
    else:
        new_total = None
    appeal.decision = decision
    appeal.new_total = new_total
    appeal.decided_by = user
    appeal.decided_at = timezone.now()
    appeal.decision_comment = comment
    appeal.save(update_fields=["decision", "new_total", "decided_by", "decided_at", "decision_comment"])
    _bump(inspection, state=InspectionState.DECIDED, fields=["total"])
    _log(inspection, "decided", user, decision=decision, new_total=new_total, comment=comment)
    notify_decided(inspection.pk)
    return inspection


# --- inbox notices ---------------------------------------------------------------------------
# The notification matrix is driven by the order's lifecycle events; an inspection is no such
# event, so these write the in-app rows directly: one ``Message`` (event type quality_*, the order,
# a dedupe key so a notice is never written twice) and one ``Notification`` per recipient.


def quality_notify(*, inspection: Inspection, event_type: str, users, title: str, body: str = "") -> int:
    from notifications.models import Message, Notification  # noqa: PLC0415 - notifications imports workorders

    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if not recipients:
        return 0
    key = f"{event_type}:{inspection.pk}:{inspection.version}"
    message, created = Message.objects.get_or_create(
        dedupe_key=key[:64],
        defaults={
            "event_type": event_type,
            "order_id": inspection.order_id,
            "data": {"inspection": inspection.pk},
        },
    )
    if not created:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=pk,
                message=message,
                event_type=event_type,
                order_id=inspection.order_id,
                title=title[:255],
                body=body,
            )
            for pk in recipients
        ],
        ignore_conflicts=True,
    )
    return len(recipients)


def _text(fmt: str, **kwargs) -> str:
    with override(settings.LANGUAGE_CODE):
        return _(fmt) % kwargs


def _fresh(pk: int) -> Inspection | None:
    return Inspection.objects.select_related("order", "agent", "appeal").filter(pk=pk).first()


def notify_scored(pk: int) -> int:
    inspection = _fresh(pk)
    if inspection is None or inspection.agent is None:
        return 0
    title = _text(
        "Quality inspection of order %(no)s: %(total)s points",
        no=inspection.order.tracking_no or inspection.order_id,
        total=inspection.total,
    )
    return quality_notify(
        inspection=inspection, event_type="quality_scored", users=[inspection.agent], title=title
    )


def managers_for(order: WorkOrder) -> list[User]:
    managers = User.objects.filter(groups__name=Role.MANAGER, is_active=True).distinct()
    return [m for m in managers if workorders_visible_to(m).filter(pk=order.pk).exists()]


def notify_appealed(pk: int) -> int:
    inspection = _fresh(pk)
    if inspection is None:
        return 0
    title = _text(
        "Appeal against the quality result of order %(no)s",
        no=inspection.order.tracking_no or inspection.order_id,
    )
    return quality_notify(
        inspection=inspection,
        event_type="quality_appealed",
        users=managers_for(inspection.order),
        title=title,
        body=inspection.appeal.reason,
    )


def notify_decided(pk: int) -> int:
    inspection = _fresh(pk)
    if inspection is None:
        return 0
    title = _text(
        "Your appeal on order %(no)s was decided: %(total)s points",
        no=inspection.order.tracking_no or inspection.order_id,
        total=inspection.total,
    )
    return quality_notify(
        inspection=inspection,
        event_type="quality_decided",
        users=[inspection.appeal.appealed_by],
        title=title,
        body=inspection.appeal.decision_comment,
    )
