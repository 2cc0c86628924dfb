"""Create the default notification rules and templates that are missing; never change existing ones.

    python manage.py sync_notifications [--database default]

Also runs after every ``migrate``. Safe to run any number of times.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from notifications.defaults import sync_defaults
from notifications.models import NotificationRule, NotificationTemplate


class Command(BaseCommand):
    help = "Create the missing default notification rules and templates (existing rows are left as they are)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        created = sync_defaults(NotificationRule, NotificationTemplate, using=database)
        self.stdout.write(f"Created {created['rules']} rules and {created['templates']} templates.")
