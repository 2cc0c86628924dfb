"""Startup checks of the work-order app: the effects registry is complete.

``check_effects`` (registered in ``WorkordersConfig.ready``) fails ``manage.py check`` and every
command that runs the checks (runserver, migrate) when a hook of ``WORKORDER_TRANSITION_HOOKS``
cannot be imported (``workorders.E002``), when a concern made with ``every_action=True`` (the
deadlines) has no declaration for an action of ``ACTIONS`` or a lifecycle event
(``workorders.E001``), or when a concern declares effects but is not in the hook list, so they
would never run (``workorders.E003``). A hook that wraps a concern names it as ``hook.concern``.
"""

from django.core import checks

from .lifecycle import ACTIONS
from .lifecycle.effects import CONCERNS, EVENTS_BESIDES_ACTIONS, transition_hooks


def check_effects(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        hooks = transition_hooks()
    except ImportError as exc:
        return [
            checks.Error(
                f"A WORKORDER_TRANSITION_HOOKS entry cannot be imported: {exc}",
                id="workorders.E002",
            )
        ]
    errors = []
    codes = [*ACTIONS, *EVENTS_BESIDES_ACTIONS]
    for concern in CONCERNS.values():
        missing = concern.undeclared(codes) if concern.every_action else []
        if missing:
            errors.append(
                checks.Error(
                    f"The {concern.name} effects declare nothing for: {', '.join(missing)}.",
                    hint=(
                        f"Declare each action in the {concern.name} concern, with @effects.on(code) "
                        "or effects.none(code) when it does nothing there."
                    ),
                    obj=concern,
                    id="workorders.E001",
                )
            )
        if not any(hook is concern or getattr(hook, "concern", None) is concern for hook in hooks):
            errors.append(
                checks.Error(
                    f"The {concern.name} effects are declared but not in WORKORDER_TRANSITION_HOOKS.",
                    obj=concern,
                    id="workorders.E003",
                )
            )
    return errors
