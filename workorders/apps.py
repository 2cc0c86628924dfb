from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "workorders"

    def ready(self):
        from . import stats_tasks  # noqa: F401  (statistics tasks: reports, exports, rebuild)
