"""Recompute the provisional deadlines (computed on plain weekdays for want of a year's holidays)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from workorders.deadlines.engine import recompute_provisional


class Command(BaseCommand):
    help = (
        "Recompute the open deadlines computed on plain weekdays because the work calendar lacked a "
        "year (after adding it); prints each row that was looked at, old and new due time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=None, help="only deadlines that start or fall due in it"
        )

    def handle(self, *args, year=None, **options):
        moved = recompute_provisional(year=year)
        for m in moved:
            old, new = (timezone.localtime(m[k]).strftime("%Y-%m-%d %H:%M") for k in ("from", "to"))
            still = "  (still provisional)" if m["provisional"] else ""
            self.stdout.write(f"{m['order']}  {m['stage']:<10}  {old} → {new}{still}")
        changed = sum(m["from"] != m["to"] for m in moved)
        self.stdout.write(f"{len(moved)} provisional deadlines recomputed, {changed} moved.")
