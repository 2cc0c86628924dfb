"""Notification event types: the lifecycle actions plus a few derived and system events.

An event type is a string code. Most are the action codes of ``workorders.lifecycle.ACTIONS``
(plus ``create``); a few are derived from an action and its payload, so that the matrix can send
them to other people (``urge_threshold``, ``callback_unsatisfied``, ``serious_complaint``); and the
deadline engine emits the ``deadline_*`` system events.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

EVENT_TYPES = {
    "create": _("Complaint received"),
    "submit": _("Submitted for classification"),
    "classify": _("Classified"),
    "dismiss": _("Dismissed (not established)"),
    "merge": _("Merged into another order"),
    "merged_from": _("A duplicate was merged into this order"),
    "assign": _("Order assigned"),
    "accept": _("Order accepted"),
    "contact": _("Customer contacted"),
    "return": _("Order returned to dispatch"),
    "reply": _("Reply submitted for review"),
    "approve": _("Reply approved, callback due"),
    "reject": _("Reply rejected"),
    "callback": _("Callback recorded"),
    "callback_unsatisfied": _("Customer unsatisfied at callback"),
    "decide_callback": _("Decision after callback"),
    "reopen": _("Order reopened"),
    "request_extension": _("Extension requested"),
    "decide_extension": _("Extension decided"),
    "urge": _("Customer urged the order"),
    "urge_threshold": _("Urging reached the threshold"),
    "internal_urge": _("The centre urged the department (催办)"),
    "escalate": _("Order escalated"),
    "note": _("Note added"),
    # Centre operations (issue 16)
    "supervise": _("Supervision (督办) issued"),
    "answer_supervision": _("Supervision answered"),
    "assist_requested": _("Assisting part requested (协办)"),
    "assist": _("Assisting part submitted"),
    "waive_assist": _("Assisting part waived"),
    "transfer": _("Order transferred (转办)"),
    "suspend": _("Suspension requested"),
    "decide_suspend": _("Suspension decided"),
    "resume": _("Order resumed"),
    "terminate": _("Service terminated"),
    "platform_reply": _("Reply sent to the platform"),
    "platform_evaluation": _("Platform's evaluation recorded"),
    "attach": _("File attached"),
    "serious_complaint": _("Serious complaint received (fast alert)"),
    "important_assigned": _("Important complaint dispatched"),
    "deadline_warning": _("Deadline approaching"),
    "deadline_breached": _("Deadline breached"),
    "deadline_escalated": _("Overdue order escalated"),
    # SMS to the customer (issue 15, ``notifications.customer``): no rule of the matrix sends these,
    # the customer is no user; listed so that their templates can be edited in the admin.
    "customer_ack": _("To the customer: complaint received"),
    "customer_reply": _("To the customer: reply approved"),
    "customer_survey": _("To the customer: reply approved, with the survey link"),
    "customer_closed": _("To the customer: order closed"),
    # The customer's survey answer on an order whose phone callback stays required (issue 15):
    # no rule by default; an unsatisfied answer also stands for ``callback_unsatisfied`` below.
    "survey_answered": _("Customer answered the SMS survey"),
}

# The event types above that only the customer's SMS use.
CUSTOMER_EVENT_TYPES = ("customer_ack", "customer_reply", "customer_survey", "customer_closed")


def event_type_choices() -> list[tuple[str, str]]:
    """Model choices, read when used: a new event type needs no migration."""
    return sorted(EVENT_TYPES.items())


# --- derived event types: declared per action, read in one place (event_types_for) ----------------

# Serious complaints are announced to the unit's leaders once per order, when any of these events
# shows the order qualifies (the level is known at classification; flags may already be set at intake),
# and once more when an escalation or urging raises it to 重大 or 特殊 (the 快报 states the new level).
SERIOUS_CHECK_ACTIONS = ("create", "submit", "classify")
SERIOUS_LEVELS = {"special", "major"}

# (order, event payload) → does the derived event type apply?
Condition = Callable[[Any, dict], bool]


def is_serious(order) -> bool:
    return (
        order.level in SERIOUS_LEVELS or order.is_key_customer or order.is_sensitive or order.upgrade_tendency
    )


def _urged_to_threshold(order, payload: dict) -> bool:
    return int(payload.get("count") or order.urge_count) >= settings.URGE_FLAG_AT


def _unsatisfied_at_callback(order, payload: dict) -> bool:
    return payload.get("satisfaction") == "unsatisfied"


def _serious(order, payload: dict) -> bool:
    return is_serious(order)


def _important(order, payload: dict) -> bool:
    return order.level == "important"


def _asks_assistance(order, payload: dict) -> bool:
    return bool(payload.get("assisting"))


def _raised_to_serious(order, payload: dict) -> bool:
    return payload.get("level_to") in SERIOUS_LEVELS


def serious_dedupe_key(order) -> str:
    """One 快报 per order and serious level: again when the order rises to 重大, then to 特殊."""
    return f"serious:{order.pk}:{order.level if order.level in SERIOUS_LEVELS else 'flags'}"


# action code → the extra notification event types it may stand for, each with its condition, in
# the order their messages are written (after the action's own type).
DERIVED_EVENT_TYPES: dict[str, tuple[tuple[str, Condition], ...]] = {
    "urge": (("urge_threshold", _urged_to_threshold), ("serious_complaint", _raised_to_serious)),
    "escalate": (("serious_complaint", _raised_to_serious),),
    # A 重要 order is reported to the unit's leader when it is dispatched (domain.md §5.1).
    "assign": (("important_assigned", _important), ("assist_requested", _asks_assistance)),
    "callback": (("callback_unsatisfied", _unsatisfied_at_callback),),
    "survey_answered": (("callback_unsatisfied", _unsatisfied_at_callback),),
    **dict.fromkeys(SERIOUS_CHECK_ACTIONS, (("serious_complaint", _serious),)),
}


def event_types_for(order, event) -> list[str]:
    """The notification event types one work-order event stands for (the action first)."""
    payload = event.payload or {}
    derived = DERIVED_EVENT_TYPES.get(event.action, ())
    return [event.action] + [event_type for event_type, applies in derived if applies(order, payload)]


# Deadline stages (payload "stage" of the deadline events) → (Chinese, English) names for templates.
STAGE_LABELS = {
    "dispatch": ("派单", "dispatch"),
    "contact": ("首次联系", "first contact"),
    "reply": ("处理答复", "reply"),
    "review": ("审核", "review"),
    "callback": ("回访", "callback"),
    "overall": ("整体办结", "overall"),
    "regulatory": ("监管时限", "regulatory"),
    "extension": ("延期审批", "extension decision"),
    "supervision": ("督办反馈", "supervision answer"),
    "assist": ("协办意见", "assisting parts"),
    "platform": ("平台回复", "platform reply"),
}


def stage_label(stage: str, language: str) -> str:
    zh, en = STAGE_LABELS.get(stage, (stage, stage))
    return zh if language.startswith("zh") else en


def stages_label(payload: dict, language: str) -> str:
    """The stages a deadline event names (one alert may list several): "首次联系、处理答复"."""
    stages = payload.get("stages") or ([payload["stage"]] if payload.get("stage") else [])
    separator = "、" if language.startswith("zh") else ", "
    return separator.join(stage_label(stage, language) for stage in stages)
