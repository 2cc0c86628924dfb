"""Run one deadline sweep now, or as if it were ``--at``: reminders, breaches, escalations; then
raise the levels of the orders marked for it (in this process: a run by hand or by cron does not
depend on a worker, and it catches marks whose message the broker never took)."""

import json

from django.core.management.base import BaseCommand

from workorders.deadlines.sweep import raise_pending_level_ups, sweep

from ._timearg import parse_at


class Command(BaseCommand):
    help = "Run one deadline sweep (as the beat task does every minute), optionally as of --at ISO-8601."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="ISO-8601 time to sweep as of (default: now); naive = Asia/Shanghai")
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, at=None, batch_size=None, **options):
        now = parse_at(at)
        result = sweep(now=now, batch_size=batch_size, max_batches=10_000)
        raised = raise_pending_level_ups()
        self.stdout.write(json.dumps({"at": now.isoformat(), **result.as_dict(), "levels_raised": raised}))
