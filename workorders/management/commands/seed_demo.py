import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from accounts.demo import DEMO_LEADERS, DEMO_USERS, ORGANISATION
from accounts.roles import Role
from workorders.demo.orders import EXTRA_HANDLERS

# Each seeder is idempotent; they run in order (STEPS names each one on the console).
SEEDERS = [
    "accounts.demo.seed_organisation",
    "accounts.demo.seed_duty_roster",
    "workorders.demo.orders.seed_orders",
    "complaints.knowledge.demo.seed_knowledge",
    "workorders.outages.demo.seed_outages",
    "workorders.quality.demo.seed_quality",
    # One deadline sweep now, so the demo's overdue orders are marked before the first beat tick.
    "workorders.deadlines.sweep.sweep",
]

STEPS = {
    "accounts.demo.seed_organisation": "departments and one login per role",
    "accounts.demo.seed_duty_roster": "duty roster of the demo handlers",
    "workorders.demo.orders.seed_orders": "demo orders over the last 90 days",
    "complaints.knowledge.demo.seed_knowledge": "knowledge articles and reply templates",
    "workorders.outages.demo.seed_outages": "outage events with linked and suggested complaints",
    "workorders.quality.demo.seed_quality": "a quality inspection round with appeals",
    "workorders.deadlines.sweep.sweep": "deadline sweep (marks the overdue orders)",
}


def _counted(path: str, result) -> str:
    """What a seeder's result says, in a few words."""
    if path.endswith("seed_organisation"):
        depts, users = result
        return f"{len(depts)} departments, {len(users)} logins"
    if path.endswith("seed_duty_roster"):
        return f"{result} duty days saved"
    if path.endswith("seed_orders"):
        text = f"{result['created']} orders created" if result["created"] else "already loaded, none added"
        return text + (f", {len(result['failures'])} steps refused" if result["failures"] else "")
    if path.endswith(("seed_knowledge", "seed_outages", "seed_quality")) and isinstance(result, dict):
        return ", ".join(f"{n} {k}" for k, n in result.items())
    if path.endswith(".sweep"):
        return f"{result.claimed} deadlines checked, {result.breaches} overdue"
    return ""


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, department) of every demo login: one per role, the unit leaders, then the extra
    handlers."""
    names = {code: name for code, name, *_rest in ORGANISATION}
    rows = [(username, role.value, names[dept]) for username, _display, role, dept, _phone in DEMO_USERS]
    rows += [(username, Role.MANAGER.value, names[dept]) for username, _display, dept, _phone in DEMO_LEADERS]
    rows += [
        (username, Role.HANDLER.value, names[dept]) for username, _display, dept, _phone in EXTRA_HANDLERS
    ]
    return rows


class Command(BaseCommand):
    help = "Load demo departments, one login per role and demo orders. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even when DEBUG is off (demo data in a production database is unusual).",
        )
        parser.add_argument("--logins-only", action="store_true", help="Only print the demo logins.")
        parser.add_argument("--no-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, allow_production=False, logins_only=False, no_logins=False, **options):
        if not logins_only:
            if not settings.DEBUG and not allow_production:
                raise CommandError("DEBUG is off: refusing to load demo data without --allow-production.")
            self.seed(verbose=options.get("verbosity", 1) >= 1)
        if not no_logins:
            self.print_logins()

    def seed(self, *, verbose):
        for number, path in enumerate(SEEDERS, start=1):
            if verbose:
                self.stdout.write(f"[{number}/{len(SEEDERS)}] {STEPS.get(path, path)} ...")
            started = time.monotonic()
            seeder = import_string(path)
            if path.endswith("seed_orders") and verbose:
                result = seeder(progress=self.order_progress)
            else:
                result = seeder()
            if verbose:
                seconds = time.monotonic() - started
                self.stdout.write(f"      {_counted(path, result)} ({seconds:.1f} s)")

    def order_progress(self, done, total):
        """A line at every tenth of the orders (their stories end in time order, not all at once)."""
        step = max(1, total // 10)
        if done % step == 0 or done == total:
            self.stdout.write(f"      {done}/{total} order stories played")

    def print_logins(self):
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {settings.DEMO_PASSWORD}):"))
        self.stdout.write(f"  {'username':<11} {'role':<11} {'password':<11} department")
        for username, role, department in demo_logins():
            self.stdout.write(f"  {username:<11} {role:<11} {settings.DEMO_PASSWORD:<11} {department}")
        backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
        if backend == "filebased":
            self.stdout.write(
                f"E-mails are not sent: each is written to {settings.EMAIL_FILE_PATH}/ (no EMAIL_HOST set)."
            )
