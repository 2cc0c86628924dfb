from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from accounts.demo import DEMO_USERS

# Each seeder is idempotent; they run in order.
SEEDERS = [
    "accounts.demo.seed_organisation",
    "accounts.demo.seed_duty_roster",
    "workorders.demo.orders.seed_orders",
    # One deadline sweep now, so the demo's overdue orders are marked before the first beat tick.
    "workorders.deadlines.sweep.sweep",
]


class Command(BaseCommand):
    help = "Load demo departments, one login per role and demo orders. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even when DEBUG is off (demo data in a production database is unusual).",
        )
        parser.add_argument("--logins-only", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, allow_production=False, logins_only=False, **options):
        if not logins_only:
            if not settings.DEBUG and not allow_production:
                raise CommandError("DEBUG is off: refusing to load demo data without --allow-production.")
            for path in SEEDERS:
                import_string(path)()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {settings.DEMO_PASSWORD}):"))
        for username, display, role, _dept, _phone in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {role.value:<11} {display}")
