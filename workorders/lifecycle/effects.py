"""What an event does besides changing the order: the effects registry, one concern at a time.

A concern that reacts to work-order events (the deadline clocks, the statistics) makes one
``Concern`` and declares its effect per action code, next to the code that does it::

    effects = Concern("deadlines", every_action=True)

    @effects.on("assign")
    def _dispatched(order, event): ...

    effects.none("note", "attach")  # declared: nothing to do

A concern whose reaction does not depend on the action (the statistics refresh every order they
see) declares one ``every_event`` handler instead. A ``Concern`` is itself the hook: the order in
which concerns run is the one list ``settings.WORKORDER_TRANSITION_HOOKS`` (plain functions such
as the notification hook sit in the same list). The hooks are imported once at startup
(``load_hooks`` from the app's ``ready``), and the system check ``workorders.E001`` (``checks.py``)
refuses to start when an action of ``ACTIONS`` (or an event of ``EVENTS_BESIDES_ACTIONS``) has no
declaration in a concern made with ``every_action=True``.

Imports only the models: the lifecycle never imports the concerns, they register here.
"""

from collections.abc import Callable, Iterable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from ..models import WorkOrder, WorkOrderEvent

Handler = Callable[[WorkOrder, WorkOrderEvent], None]
Hook = Callable[..., None]  # hook(*, order, event)

# Events the lifecycle writes that are not actions of the table (events.py, actions._merge).
EVENTS_BESIDES_ACTIONS = ("create", "merged_from")

CONCERNS: dict[str, "Concern"] = {}


class Concern:
    """One concern's effects, per action code; calling it (``order=``, ``event=``) runs them.

    ``every_action``: the concern must declare every action and lifecycle event, even as ``none``
    (checked at startup). An event without a declaration (a system event such as
    ``deadline_warning``) runs the ``every_event`` handler, if any, and otherwise nothing.
    """

    def __init__(self, name: str, *, every_action: bool = False):
        if name in CONCERNS:
            raise ValueError(f"effects concern {name!r} is declared twice")
        self.name = name
        self.every_action = every_action
        self.handlers: dict[str, Handler | None] = {}
        self.fallback: Handler | None = None
        CONCERNS[name] = self

    def __repr__(self) -> str:
        return f"<Concern {self.name}: {len(self.handlers)} actions>"

    def _declare(self, codes: Iterable[str], handler: Handler | None) -> None:
        for code in codes:
            if code in self.handlers:
                raise ValueError(f"{self.name}: the effect of {code!r} is declared twice")
            self.handlers[code] = handler

    def on(self, *codes: str) -> Callable[[Handler], Handler]:
        """Decorator: ``handler(order, event)`` is what these actions do for this concern."""

        def register(handler: Handler) -> Handler:
            self._declare(codes, handler)
            return handler

        return register

    def none(self, *codes: str) -> None:
        """Declare that these actions (or events) do nothing for this concern."""
        self._declare(codes, None)

    def every_event(self, handler: Handler) -> Handler:
        """Decorator: the handler of every event without a declaration of its own."""
        if self.fallback is not None:
            raise ValueError(f"{self.name}: every_event is declared twice")
        self.fallback = handler
        return handler

    def handles(self, code: str) -> bool:
        """Whether an event of ``code`` does something here (a handler, declared or the fallback)."""
        if code in self.handlers:
            return self.handlers[code] is not None
        return self.fallback is not None

    def declares(self, code: str) -> bool:
        return code in self.handlers

    def undeclared(self, codes: Iterable[str]) -> list[str]:
        """The codes among ``codes`` this concern says nothing about."""
        return [code for code in codes if code not in self.handlers]

    def __call__(self, *, order: WorkOrder, event: WorkOrderEvent) -> None:
        if event.action in self.handlers:
            handler = self.handlers[event.action]
        else:
            handler = self.fallback
        if handler is not None:
            handler(order, event)


@cache
def _hooks(paths: tuple[str, ...]) -> tuple[Hook, ...]:
    return tuple(import_string(path) for path in paths)


def transition_hooks() -> tuple[Hook, ...]:
    """The hooks of ``settings.WORKORDER_TRANSITION_HOOKS``, imported once per list, in its order."""
    return _hooks(tuple(settings.WORKORDER_TRANSITION_HOOKS))


def load_hooks() -> None:
    """Import every hook now (at startup), so every concern has registered its effects."""
    transition_hooks()
