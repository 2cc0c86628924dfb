"""Print the deadlines an order received at ``--at`` with ``--level`` and ``--category`` would get."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaints.models import Category, Channel
from workorders.deadlines.reads import preview
from workorders.models import Level

from ._timearg import parse_at


class Command(BaseCommand):
    help = "Preview deadlines: --level L --category C --at ISO-8601 [--channel CH]."

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, choices=Level.values)
        parser.add_argument("--category", required=True, help="category code (e.g. 040101) or id")
        parser.add_argument("--at", required=True, help="reception time, ISO-8601; naive = Asia/Shanghai")
        parser.add_argument("--channel", default="phone_95598", choices=Channel.values)

    def handle(self, *args, level, category, at, channel, **options):
        cat = Category.objects.filter(code=category).first()
        if cat is None and category.isdigit():
            cat = Category.objects.filter(pk=int(category)).first()
        if cat is None:
            raise CommandError(f"unknown category {category!r}")
        received = parse_at(at)
        rows = preview(level=level, category=cat, channel=channel, at=received)
        if not rows:
            raise CommandError("no active SLA policy applies")
        fmt = lambda m: timezone.localtime(m).strftime("%Y-%m-%d %H:%M:%S %a") if m else "-"  # noqa: E731
        self.stdout.write(
            f"received {fmt(received)}  level {level}  category {cat.code}  channel {channel}  "
            f"policy {rows[0]['policy']}"
        )
        self.stdout.write(f"{'stage':<11} {'limit':<18} {'reminder at':<28} {'due at':<28} basis")
        for r in rows:
            limit = f"{r['limit']['value']} {r['limit']['unit']}"
            flag = " (provisional: weekday fallback)" if r["provisional"] else ""
            note = f" ({r['note']})" if r["note"] else ""
            self.stdout.write(
                f"{r['stage']:<11} {limit:<18} {fmt(r['warn_at']):<28} {fmt(r['due_at']):<28} "
                f"{r['basis']}{note}{flag}"
            )
