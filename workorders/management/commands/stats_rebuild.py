"""Recompute the statistics aggregates for a range of received days (or everything)."""

import datetime as dt

from django.core.management.base import BaseCommand

from workorders.stats.aggregates import stats_rebuild


class Command(BaseCommand):
    help = "Recompute StatsDaily/StatsUnitDaily/StatsOpen from the orders and their events."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat)

    def handle(self, *args, date_from=None, date_to=None, **options):
        n = stats_rebuild(date_from=date_from, date_to=date_to)
        self.stdout.write(f"recomputed the aggregates of {n} orders")
