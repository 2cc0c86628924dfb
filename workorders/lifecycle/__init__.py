"""The work-order lifecycle: the action table, ``perform()`` and the event writer.

Owns: ``actions`` (the table and what each action changes), ``inputs`` (one serializer per action),
``engine`` (``perform``, ``available_actions``), ``events`` (the one writer of work-order events and
the transition hooks). May import: ``workorders.models``, ``workorders.selectors``, and the apps
below (accounts, complaints). Deadlines, statistics and notifications hang on the hooks; the
lifecycle never imports them.
"""

from .actions import ACTIONS, Action, Context
from .engine import available_actions, perform, validate_input
from .events import record_creation, record_system_event, run_transition_hooks

__all__ = [
    "ACTIONS",
    "Action",
    "Context",
    "available_actions",
    "perform",
    "record_creation",
    "record_system_event",
    "run_transition_hooks",
    "validate_input",
]
