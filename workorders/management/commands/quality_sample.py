"""Sample one ISO week's closed orders for quality inspection (workorders.quality)."""

from django.core.management.base import BaseCommand, CommandError

from workorders.quality.services import previous_week, quality_sample


class Command(BaseCommand):
    help = (
        "Create the quality-inspection round of a week (YYYY-Www, default: last week): "
        "QUALITY_SAMPLE_PER_PERSON orders per agent and per department, every unsatisfied and every "
        "special/major order. Running it again for the same week adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week, e.g. 2026-W49 (default: last week)")
        parser.add_argument("--per-person", type=int, help="overrides QUALITY_SAMPLE_PER_PERSON")

    def handle(self, *args, week=None, per_person=None, **options):
        try:
            rnd, created = quality_sample(week=week or previous_week(), per_person=per_person)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{rnd.week}: {created} inspections created, {rnd.inspections.count()} in the round"
        )
