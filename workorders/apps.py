from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "workorders"

    def ready(self):
        from . import (
            deadline_admin,  # noqa: F401  (admin for the deadline engine's models)
            stats_tasks,  # noqa: F401  (statistics tasks: reports, exports, rebuild)
        )
