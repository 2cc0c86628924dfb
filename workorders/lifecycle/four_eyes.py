"""Four eyes: nobody decides on their own work, whatever roles they hold.

``FOUR_EYES`` maps each action that reviews someone's work to who authored that work (the user ids
who may therefore not take it) and the message a refusal gives. ``engine.perform`` refuses such an
actor with ``DomainError(code="four_eyes")`` (409) before the action runs, and
``engine.available_actions`` leaves the action out, so the pages and the API never offer it. The
system (``actor=None``) is not a person and is never refused.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from ..models import ExtensionRequest, WorkOrder


def reply_authors(order: WorkOrder) -> set[int]:
    """The handler whose result is in review: who submitted the last reply, and the assignee."""
    last = (
        order.events.filter(action="reply")
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)[:1]
    )
    return {pk for pk in [order.assignee_id, *last] if pk is not None}


def order_handlers(order: WorkOrder) -> set[int]:
    """Whoever handled the order: the assignee and every user who submitted a reply on it."""
    replied = order.events.filter(action="reply").values_list("actor_id", flat=True).distinct()
    return {pk for pk in [order.assignee_id, *replied] if pk is not None}


def extension_requester(order: WorkOrder) -> set[int]:
    """Who filed the extension request waiting for a decision."""
    pending = order.extension_requests.filter(state=ExtensionRequest.State.PENDING)
    return set(pending.values_list("requested_by_id", flat=True))


@dataclass(frozen=True)
class Rule:
    authors: Callable[[WorkOrder], set[int]]
    message: str


REVIEW_OWN_REPLY = gettext_lazy(
    "You handled this order and submitted its reply; another supervisor must review it."
)

FOUR_EYES: dict[str, Rule] = {
    "approve": Rule(reply_authors, REVIEW_OWN_REPLY),
    "reject": Rule(reply_authors, REVIEW_OWN_REPLY),
    "decide_extension": Rule(
        extension_requester,
        gettext_lazy("You requested this extension; another supervisor must decide it."),
    ),
    "callback": Rule(
        order_handlers,
        gettext_lazy("You handled this order; someone else must make the callback to the customer."),
    ),
    "decide_callback": Rule(
        order_handlers,
        gettext_lazy("You handled this order; another supervisor must decide after the callback."),
    ),
}


def own_work(
    action_code: str, order: WorkOrder, actor_id: int | None, *, memo: dict | None = None
) -> Rule | None:
    """The rule that forbids this actor to take this action on this order (their own work), or None.

    ``memo`` keeps each author lookup for the order across several actions (``available_actions``).
    """
    rule = FOUR_EYES.get(action_code)
    if rule is None or actor_id is None:
        return None
    if memo is None:
        authors = rule.authors(order)
    else:
        if rule.authors not in memo:
            memo[rule.authors] = rule.authors(order)
        authors = memo[rule.authors]
    return rule if actor_id in authors else None
