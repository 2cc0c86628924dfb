"""Reads of the deadline rows: their state for the pages and the API, and the preview."""

from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone

from complaints.models import Category
from config.representation import choice_labels

from ..models import PLATFORM_CHANNELS, Deadline, Stage, WorkOrder
from .calendar import get_calendar
from .engine import CLOCK_FROM_RECEIPT, channel_limit_for, compute, resolve_policy, urgent_levels


def deadlines_prefetch() -> Prefetch:
    return Prefetch("deadlines", queryset=Deadline.objects.order_by("started_at", "pk"))


# What ``deadline_entry``, ``deadline_state`` and the late stages read of a row.
ROW_FIELDS = (
    "id",
    "order_id",
    "stage",
    "cycle",
    "started_at",
    "due_at",
    "original_due_at",
    "warn_at",
    "warned_at",
    "breached_at",
    "met_at",
    "cancelled_at",
    "held_since",
    "paused_seconds",
    "escalation_level",
    "basis",
    "limit_value",
    "limit_unit",
    "provisional",
)


class DeadlineRow:
    """A deadline row read as values (``ROW_FIELDS`` and ``is_late``), for the list API: a page's
    ~150 rows as model instances cost more Python time than the rest of its representation."""

    __slots__ = (*ROW_FIELDS, "is_late")

    def __init__(self, values: tuple):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


def deadline_state(row: Deadline, now: datetime) -> str:
    if row.cancelled_at:
        return "cancelled"
    if row.met_at:
        return "met_late" if row.met_at > row.due_at else "met"
    if row.held_since:
        return "paused"
    if row.breached_at or now >= row.due_at:
        return "breached"
    if row.warned_at or (row.warn_at and now >= row.warn_at):
        return "warning"
    return "open"


_STAGE_FIELD = Deadline._meta.get_field("stage")


def deadline_entry(row: Deadline, now: datetime) -> dict:
    open_ = row.is_open
    paused = row.paused_seconds + (int((now - row.held_since).total_seconds()) if row.held_since else 0)
    zone = timezone.get_current_timezone()

    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat() if moment else None

    return {
        "id": row.pk,
        "stage": row.stage,
        "stage_display": choice_labels(_STAGE_FIELD).get(row.stage, row.stage),
        "cycle": row.cycle,
        "started_at": iso(row.started_at),
        "due_at": iso(row.due_at),
        "original_due_at": iso(row.original_due_at),
        "warn_at": iso(row.warn_at),
        "warned_at": iso(row.warned_at),
        "breached_at": iso(row.breached_at),
        "met_at": iso(row.met_at),
        "paused_seconds": paused,
        "seconds_left": int((row.due_at - now).total_seconds()) if open_ else None,
        "seconds_taken": int((row.met_at - row.started_at).total_seconds()) if row.met_at else None,
        "state": deadline_state(row, now),
        "escalation_level": row.escalation_level,
        "basis": row.basis,
        "limit": {"value": row.limit_value, "unit": row.limit_unit},
        "provisional": row.provisional,
    }


def order_deadlines(order: WorkOrder, now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    return [deadline_entry(row, now) for row in order.deadlines.all()]


def preview(
    *, level: str, category: Category | None = None, channel: str = "phone_95598", at: datetime
) -> list[dict]:
    """The deadlines an order received at ``at`` would get (no database writes)."""
    policy = resolve_policy(level=level, category=category, channel=channel)
    if policy is None:
        return []
    cal = get_calendar()
    limits = policy.limits()
    ext = channel_limit_for(channel)
    urgent = level in urgent_levels()
    out = []
    for stage, limit in limits.items():
        if stage in (Stage.SUPERVISION, Stage.ASSIST):  # started by a person later, if ever
            continue
        if stage == Stage.PLATFORM and channel not in PLATFORM_CHANNELS:
            continue
        external = (at, ext) if stage == Stage.REPLY and ext else None
        c = compute(
            cal=cal, start=at, limit=limit, share=float(policy.warn_share), urgent=urgent, external=external
        )
        note = "" if stage in CLOCK_FROM_RECEIPT else "from the previous step"
        out.append(
            {
                "stage": stage,
                "limit": c.limit,
                "due_at": c.due_at,
                "warn_at": c.warn_at,
                "basis": c.basis,
                "provisional": c.provisional,
                "policy": policy.name,
                "note": note,
            }
        )
    return out
