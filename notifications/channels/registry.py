"""The channel registry: every way a notification can reach someone, registered by its own module.

A channel is a code (stored in rules, templates, preferences and outbox rows; at most 10
characters), a label, whether recipients may switch it on or off per event type (preferences),
whether rules of the matrix may name it, and for outside channels the function that sends a batch
of claimed deliveries. Per-recipient outside channels also say where they reach a user (``address``).

Model choices and the rule validator read the registry when they are used, so a new channel needs
no migration. This module imports nothing from the app (models import it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Delivery


class Refused(str):
    """A sender's error text for a failure that retrying cannot fix (a webhook URL that now points
    at a forbidden address): the delivery is dead at once instead of being retried."""

    __slots__ = ()


# deliveries → {delivery id: error text, "" when sent; a ``Refused`` text: dead without retries}
Sender = Callable[[Sequence["Delivery"]], dict[int, str]]
# recipient → their address on the channel ("" when they have none: nothing is sent)
Addresser = Callable[["User"], str]

CODE_MAX_LENGTH = 10


@dataclass(frozen=True)
class ChannelSpec:
    code: str
    label: Any  # a (lazy) translatable string
    # Recipients may switch it on or off per event type (NotificationPreference).
    user_switchable: bool = False
    # Rules of the matrix may name it (webhooks go to subscriptions, not to rule recipients).
    in_rules: bool = True
    # Outside channels: sends a batch of claimed deliveries. None: written in the transaction (inbox).
    send: Sender | None = None
    # Per-recipient outside channels: the user's address on it.
    address: Addresser | None = None
    # Position in choices and in the order deliveries are written.
    order: int = 100


_REGISTRY: dict[str, ChannelSpec] = {}


def register(spec: ChannelSpec) -> ChannelSpec:
    """Add a channel (at import of its module). Registering the same code twice is an error."""
    if not spec.code or len(spec.code) > CODE_MAX_LENGTH or not spec.code.isidentifier():
        raise ValueError(f"channel code {spec.code!r}: an identifier of at most {CODE_MAX_LENGTH} characters")
    if spec.code in _REGISTRY and _REGISTRY[spec.code] != spec:
        raise ValueError(f"channel {spec.code!r} is already registered")
    _REGISTRY[spec.code] = spec
    return spec


def unregister(code: str) -> None:
    """Remove a channel (tests that register their own)."""
    _REGISTRY.pop(code, None)


def get(code: str) -> ChannelSpec | None:
    return _REGISTRY.get(code)


def all_channels() -> list[ChannelSpec]:
    return sorted(_REGISTRY.values(), key=lambda spec: (spec.order, spec.code))


def recipient_channels() -> list[ChannelSpec]:
    """Outside channels that reach a rule's recipients at their own address (email, SMS, …)."""
    return [s for s in all_channels() if s.in_rules and s.send is not None and s.address is not None]


def sender(code: str) -> Sender | None:
    spec = _REGISTRY.get(code)
    return spec.send if spec else None


# --- choices (callables: models evaluate them when used, so no migration follows a new channel) ---


def channel_choices() -> list[tuple[str, Any]]:
    """Every channel (templates, outbox rows)."""
    return [(s.code, s.label) for s in all_channels()]


def rule_channel_choices() -> list[tuple[str, Any]]:
    """The channels a rule of the matrix may name."""
    return [(s.code, s.label) for s in all_channels() if s.in_rules]


def preference_channel_choices() -> list[tuple[str, Any]]:
    """The channels a user may switch on or off per event (the inbox is always on)."""
    return [(s.code, s.label) for s in all_channels() if s.user_switchable]


def validate_rule_channels(value: Any) -> None:
    """A rule's ``channels``: a list of registered codes that rules may name (Django's own messages,
    so they come translated)."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Enter a list of values."), code="invalid_list")
    allowed = {code for code, _label in rule_channel_choices()}
    for code in value:
        if code not in allowed:
            raise ValidationError(
                _("Value %(value)r is not a valid choice."), code="invalid_choice", params={"value": code}
            )
