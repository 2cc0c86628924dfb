"""The work-order lifecycle: the action table, ``perform()``, the event writer and the effects registry.

Owns: ``actions`` (the table and what each action changes), ``inputs`` (one serializer per action),
``engine`` (``perform``, ``available_actions``), ``four_eyes`` (who may not decide on which
action because it is their own work), ``events`` (the one writer of work-order events,
which runs the transition hooks), ``effects`` (the registry where each concern declares what every
action does for it, and the hook list). May import: ``workorders.models``, ``workorders.selectors``,
``config.errors`` and the apps below (accounts, complaints). Deadlines, statistics and
notifications hang on the hooks and register their effects here; the lifecycle never imports them.
"""

from .actions import ACTIONS, Action, Context, next_step
from .effects import Concern
from .engine import available_actions, perform, validate_input
from .events import (
    NewEvent,
    record_creation,
    record_system_event,
    run_transition_hooks,
    write_event,
    write_events,
)
from .messages import done_message

__all__ = [
    "ACTIONS",
    "Action",
    "Concern",
    "Context",
    "NewEvent",
    "available_actions",
    "done_message",
    "next_step",
    "perform",
    "record_creation",
    "record_system_event",
    "run_transition_hooks",
    "validate_input",
    "write_event",
    "write_events",
]
