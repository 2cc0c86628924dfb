from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_delete, post_save


class WorkordersConfig(AppConfig):
    name = "workorders"

    def ready(self):
        # Any change to a calendar table drops the cached working-day calendar in every process.
        from .deadlines.calendar import invalidate_calendar  # noqa: PLC0415 (needs the app registry)
        from .deadlines.engine import calendar_year_saved  # noqa: PLC0415 (needs the app registry)
        from .models import CalendarData, WorkCalendarYear  # noqa: PLC0415 (needs the app registry)

        for model in CalendarData.__subclasses__():
            post_save.connect(
                invalidate_calendar, sender=model, dispatch_uid=f"calendar_save_{model.__name__}"
            )
            post_delete.connect(
                invalidate_calendar, sender=model, dispatch_uid=f"calendar_del_{model.__name__}"
            )
        # A year's holidays entered: the deadlines computed on plain weekdays for it are redone
        # (after the commit, when the year's days saved with it are in too).
        post_save.connect(
            calendar_year_saved, sender=WorkCalendarYear, dispatch_uid="calendar_year_recompute"
        )

        # The transition hooks are imported once, now: each concern registers its effects per
        # action in the lifecycle's registry, and the check below finds any action left undeclared.
        from .checks import check_effects  # noqa: PLC0415 (needs the app registry)
        from .lifecycle.effects import load_hooks  # noqa: PLC0415 (needs the app registry)

        load_hooks()
        checks.register(check_effects, "workorders")
