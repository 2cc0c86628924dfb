"""Retention: delete notification history older than a number of days, in bounded batches.

    python manage.py purge_notifications --days 365 [--dry-run] [--batch 5000]

Deletes messages created before the cutoff whose deliveries are all finished (sent or dead), with
their inbox rows, deliveries and delivery log. A message with a delivery still pending or sending
is kept whatever its age (nothing waiting to go out is lost). Work orders and their events (the
audit trail) are never touched. Each batch is its own transaction, so a large purge never holds
long locks; run it at night (or from beat) and as often as needed.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from notifications.models import Delivery, DeliveryAttempt, Message, Notification

UNFINISHED = (Delivery.State.PENDING, Delivery.State.SENDING)


def purgeable(cutoff):
    return Message.objects.filter(created_at__lt=cutoff).exclude(deliveries__state__in=UNFINISHED)


class Command(BaseCommand):
    help = "Delete notification messages, inbox rows and deliveries older than --days (finished ones only)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True, help="keep this many days (≥ 30)")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, days, batch, dry_run, **options):
        if days < 30:
            raise CommandError("--days must be at least 30: recent history is what people look at.")
        cutoff = timezone.now() - timedelta(days=days)
        if dry_run:
            self.stdout.write(
                f"{purgeable(cutoff).count():,} messages older than {cutoff:%Y-%m-%d} would be deleted"
            )
            return
        totals = {"messages": 0, "notifications": 0, "deliveries": 0, "attempts": 0}
        while True:
            with transaction.atomic():
                ids = list(purgeable(cutoff).order_by("pk").values_list("pk", flat=True)[:batch])
                if not ids:
                    break
                deliveries = Delivery.objects.filter(message_id__in=ids)
                totals["attempts"] += DeliveryAttempt.objects.filter(delivery__in=deliveries).delete()[0]
                totals["deliveries"] += deliveries.delete()[0]
                totals["notifications"] += Notification.objects.filter(message_id__in=ids).delete()[0]
                totals["messages"] += Message.objects.filter(pk__in=ids).delete()[0]
        self.stdout.write(
            "deleted "
            + ", ".join(f"{n:,} {name}" for name, n in totals.items())
            + f" older than {cutoff:%Y-%m-%d}"
        )
