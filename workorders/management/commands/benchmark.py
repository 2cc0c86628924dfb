"""The project's benchmark: realistic data, gunicorn over HTTP under load, one table against the budgets.

    python manage.py benchmark                      # 1,000,000 orders; PostgreSQL, a database of its own
    python manage.py benchmark --orders 200000 --duration 15
    python manage.py benchmark --orders 2000 --quick

1. Loads N synthetic orders set-based (``workorders.benchmark.data``: customers, complaints,
   orders, assignments, events, deadlines, frozen SLAs, an inbox; then the aggregates) and the
   users of every role: a handler with real assignments in one department, a unit supervisor, the
   manager, the dispatcher and the agent. Data already loaded is reused.
2. Counts the queries of one request per path in this process (the test client, as the same user).
3. Runs real deadline sweeps (``--sweep-runs``, 3 by default) over M rows made due among the open
   orders, other rows each time; the row shows the median and the range (the sweep's time follows
   the disk, which varied by a factor of two between runs of the same code).
4. Starts gunicorn (``--workers``, DEBUG off) on loopback against the same database, with the bare
   reference views of ``config/bench.py`` mounted, and drives every path for ``--duration``
   seconds with locust (headless, ``--users`` concurrent clients in a closed loop; intake and the
   bare POST with ``--intake-users``): first the bare GET and POST, then each budgeted path.
5. Prints one table: figure, value, ratio to the bare view, queries per request, budget, and
   ``within`` or ``outside``. Exits with status 1 when any row is outside its budget.

Timings are measured, never tuned: a path whose requests fail or time out is ``outside``.
"""

import random
import time
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max, Min
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.selectors import user_covered_departments
from accounts.services import api_token_for
from complaints.models import Category, Customer
from config import bench
from workorders.benchmark import data, plan, sweep
from workorders.benchmark.plan import Row
from workorders.benchmark.runner import Server, drop_queue, wait_until_idle
from workorders.models import Status, WorkOrder


class Command(BaseCommand):
    help = "Load N realistic orders (PostgreSQL), drive gunicorn over HTTP and print the budget table."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=1_000_000, help="N orders (default 1,000,000)")
        parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per path")
        parser.add_argument("--users", type=int, default=4, help="concurrent clients per read path")
        parser.add_argument("--intake-users", type=int, default=4, help="concurrent clients for intake")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--due", type=int, default=1000, help="deadline rows due for the sweep")
        parser.add_argument(
            "--sweep-runs", type=int, default=3, help="sweeps of --due rows each; the row shows the median"
        )
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request fails")
        parser.add_argument("--quick", action="store_true", help="a short run: 3 s per path, at most 100 due")
        parser.add_argument("--skip-load", action="store_true", help="use the data as it is")
        parser.add_argument(
            "--only", default="", help="comma-separated row keys (e.g. api_default_page_handler,intake,sweep)"
        )
        parser.add_argument(
            "--budget-scale",
            type=float,
            default=1.0,
            help="multiply the time and memory budgets (divide the rate budgets) by this",
        )

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark needs PostgreSQL (it loads with generate_series and measures what "
                "production runs): set DATABASE_URL to a database of its own."
            )
        if o["quick"]:
            o["duration"] = min(o["duration"], 3.0)
            o["due"] = min(o["due"], 100)
            o["sweep_runs"] = 1
        self.o = o
        self.scale = o["budget_scale"]
        only = {k.strip() for k in o["only"].split(",") if k.strip()}
        self.wanted = (lambda key: key in only) if only else (lambda key: True)
        self.out = lambda msg: self.stdout.write(msg)

        if not o["skip_load"]:
            self.out(f"== loading {o['orders']:,} orders ==")
            data.load(o["orders"], self.out)
        self.users = data.ensure_organisation()
        total = WorkOrder.objects.count()
        open_orders = WorkOrder.objects.exclude(status=Status.CLOSED).count()
        self.out(f"orders in the database: {total:,} ({open_orders:,} open)")

        ctx = self.ctx = self.context()
        paths = [s for s in plan.scenarios(ctx) if self.wanted(s.key)]
        bare = plan.bare_scenarios(ctx)
        self.out("\n== queries per request (one request per path in this process) ==")
        for scenario in bare + paths:
            self.count_queries(scenario)
            status = "" if scenario.status in (200, 201) else f"  (HTTP {scenario.status})"
            self.out(f"  {scenario.key:<32} {scenario.queries:>4} queries{status}")

        rows = []
        sweep_row = self.measure_sweep() if self.wanted("sweep") else None

        self.out(
            f"\n== HTTP: {o['duration']:g} s per path, {o['users']} clients "
            f"({o['intake_users']} for intake) =="
        )
        with Server(workers=o["workers"], out=self.out, timeout=max(120.0, o["timeout"] * 2)) as server:
            self.server = server
            self.sessions = {}
            results = {}
            for scenario in bare + paths:
                wait_until_idle()
                figures = server.run(
                    self.locust_spec(scenario),
                    users=o["intake_users"] if scenario.kind in ("intake", "bare_post") else o["users"],
                    seconds=o["duration"],
                    timeout=o["timeout"],
                )
                results[scenario.key] = figures
                p95 = plan.ms(figures.p95)
                self.out(
                    f"  {scenario.key:<32} p95 {p95:>10}  {figures.rate:8.1f}/s  n={figures.count}"
                    + (f"  failed={figures.failures}" if figures.failures else "")
                )
            rss = server.worker_rss_mb()
        Customer.objects.filter(name=bench.BARE_CUSTOMER_NAME).delete()

        bare_get, bare_post = results["bare_get"], results["bare_post"]
        rows.append(self.reference_row(bare[0], bare_get))
        rows.append(self.reference_row(bare[1], bare_post))
        for scenario in paths:
            if scenario.kind == "intake":
                rows.extend(self.intake_rows(scenario, results[scenario.key], bare_post))
            else:
                rows.append(self.get_row(scenario, results[scenario.key], bare_get))
        if sweep_row:
            rows.append(sweep_row)
        if self.wanted("memory"):
            rows.append(self.memory_row(rss))

        self.out(f"\n== {total:,} orders, gunicorn {o['workers']} workers, {self.machine()} ==")
        self.out(plan.table(rows))
        notes = [f"{r.figure}: {n}" for r in rows for n in r.notes]
        if notes:
            self.out("\nnotes:")
            for note in notes:
                self.out(f"  - {note}")
        outside = [r for r in rows if r.verdict == "outside"]
        budgeted = [r for r in rows if r.verdict != "reference"]
        self.out(
            f"\n{len(budgeted) - len(outside)} of {len(budgeted)} rows within budget, {len(outside)} outside"
        )
        if outside:
            raise CommandError(
                f"{len(outside)} of {len(budgeted)} rows are outside their budget", returncode=1
            )

    # --- what the paths need ------------------------------------------------------------------------

    def context(self) -> dict:
        today = timezone.localdate()
        handler = self.users["handler"]
        handled = user_covered_departments(handler, roles=["handler"]).values("pk")
        assigned = WorkOrder.objects.filter(department__in=handled).order_by("-received_at")
        detail = list(assigned.filter(status=Status.PROCESSING).values_list("pk", flat=True)[:10])
        detail += list(assigned.filter(status=Status.CLOSED).values_list("pk", flat=True)[:10])
        if not detail:
            raise CommandError("the handler has no assigned orders: load data first")
        bounds = WorkOrder.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
        sample = random.sample(
            range(bounds["lo"], bounds["hi"] + 1), min(400, bounds["hi"] - bounds["lo"] + 1)
        )
        pks = list(WorkOrder.objects.filter(pk__in=sample).values_list("pk", flat=True)[:200])
        synthetic = Customer.objects.filter(account_no__startswith="9").order_by("pk")
        customer = synthetic[max(0, synthetic.count() * 37 // 100 - 1)] if synthetic.exists() else None
        phone = customer.phone if customer else "19900001234"
        category = (
            Category.objects.filter(level=2, code__startswith="04")
            .order_by("code")
            .values_list("code", flat=True)
        )
        return {
            "today": today.isoformat(),
            "year_ago": (today - timedelta(days=365)).isoformat(),
            "category": category.first() or "0401",
            "partial_phone": phone[-6:],  # the end of a number, as callers give it
            "text": "电压偏低",
            "text_q": quote("电压偏低"),
            "detail_pks": detail,
            "bare_pks": pks,
            "phones": list(
                Customer.objects.filter(account_no__startswith="9").values_list("phone", flat=True)[:100]
            )
            or ["13900000000"],
        }

    def client_for(self, scenario) -> tuple[Client, dict]:
        client = Client()
        headers = {}
        user = self.users.get(scenario.user) if scenario.user else None
        if scenario.auth == "session":
            client.force_login(user)
        elif scenario.auth == "token":
            headers["Authorization"] = f"Token {api_token_for(user=user).key}"
        return client, headers

    def count_queries(self, scenario) -> None:
        """One warm-up request, then one counted request, in this process, as the same user."""
        if scenario.kind.startswith("bare"):
            factory = RequestFactory()
            pk = int(scenario.urls[0].rstrip("/").rsplit("/", 1)[1]) if scenario.kind == "bare_get" else None

            def call():
                if pk is not None:
                    return bench.bare_get(factory.get(scenario.urls[0]), pk)
                body = '{"phone": "13900000000", "address": "bench"}'
                return bench.bare_post(factory.post(scenario.urls[0], body, content_type="application/json"))

        else:
            client, headers = self.client_for(scenario)

            def call():
                if scenario.kind == "intake":
                    return client.post(
                        scenario.urls[0],
                        self.intake_body(),
                        content_type="application/json",
                        headers=headers,
                        secure=True,
                    )
                return client.get(scenario.urls[0], headers=headers, secure=True)

        call()
        with CaptureQueriesContext(connection) as captured:
            response = call()
        scenario.queries, scenario.status = len(captured.captured_queries), response.status_code

    def intake_body(self) -> dict:
        return {
            "channel": "phone_95598",
            "customer_name": "压测客户",
            "phone": f"18{random.randint(0, 999_999_999):09d}",
            "address": "滨江市城东区压测路1号",
            "content": "电压偏低，晚上灯光昏暗。",
            "demand": "尽快处理并回复",
        }

    def locust_spec(self, scenario) -> dict:
        headers = {}
        user = self.users.get(scenario.user) if scenario.user else None
        if scenario.auth == "token":
            headers["Authorization"] = f"Token {api_token_for(user=user).key}"
        elif scenario.auth == "session":
            if scenario.user not in self.sessions:
                client = Client()
                client.force_login(user)
                self.sessions[scenario.user] = client.cookies[settings.SESSION_COOKIE_NAME].value
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={self.sessions[scenario.user]}"
        if scenario.kind == "intake":
            phones = self.ctx["phones"]
            return {
                "requests": [],
                "intake": {"path": scenario.urls[0], "headers": headers, "phones": phones},
            }
        if scenario.kind == "bare_post":
            return {
                "requests": [],
                "intake": {"path": scenario.urls[0], "headers": {}, "phones": ["13900000000"]},
            }
        name = scenario.urls[0] if len(scenario.urls) == 1 else scenario.key
        return {
            "requests": [
                {"method": "GET", "path": u, "headers": headers, "name": name} for u in scenario.urls
            ]
        }

    # --- rows -------------------------------------------------------------------------------------

    def queries_cell(self, scenario) -> str:
        return str(scenario.queries) if scenario.queries is not None else "–"

    def failed(self, scenario, figures) -> list[str]:
        notes = []
        if scenario.status not in (200, 201):
            notes.append(f"the in-process request answered HTTP {scenario.status}")
        if figures.failures:
            notes.append(f"{figures.failures} failed requests, e.g. {figures.errors[0]}")
        if not figures.count:
            notes.append("no request completed within the run")
        return notes

    def reference_row(self, scenario, figures) -> Row:
        return Row(
            scenario.figure,
            f"p95 {plan.ms(figures.p95)}, {figures.rate:,.0f}/s",
            "1×",
            self.queries_cell(scenario),
            "reference",
            "reference",
            self.failed(scenario, figures),
        )

    def get_row(self, scenario, figures, bare) -> Row:
        budget = scenario.budget_ms * self.scale
        notes = self.failed(scenario, figures)
        ratio = figures.p95 / bare.p95 if figures.p95 and bare.p95 else None
        within = not notes and figures.p95 <= budget
        return Row(
            scenario.figure,
            f"p95 {plan.ms(figures.p95)} ({figures.rate:,.1f}/s)",
            plan.times(ratio),
            self.queries_cell(scenario),
            f"p95 ≤ {plan.ms(budget)}",
            "within" if within else "outside",
            notes,
        )

    def intake_rows(self, scenario, figures, bare) -> list[Row]:
        notes = self.failed(scenario, figures)
        share = figures.rate / bare.rate if bare.rate else 0.0
        rate_budget = plan.INTAKE_RATE / self.scale
        share_budget = plan.INTAKE_SHARE_OF_BARE / self.scale
        p95_budget = plan.INTAKE_P95_MS * self.scale
        users = self.o["intake_users"]
        rate_ok = not notes and figures.rate >= rate_budget and share >= share_budget
        p95_ok = not notes and figures.p95 is not None and figures.p95 <= p95_budget
        ratio = figures.p95 / bare.p95 if figures.p95 and bare.p95 else None
        return [
            Row(
                f"API intake, {users} clients, throughput",
                f"{figures.rate:,.1f}/s",
                f"{share:.0%} of bare POST",
                self.queries_cell(scenario),
                f"≥ {rate_budget:,.0f}/s and ≥ {share_budget:.0%} of bare",
                "within" if rate_ok else "outside",
                notes,
            ),
            Row(
                f"API intake, {users} clients, p95",
                f"p95 {plan.ms(figures.p95)}",
                plan.times(ratio),
                self.queries_cell(scenario),
                f"p95 ≤ {plan.ms(p95_budget)}",
                "within" if p95_ok else "outside",
            ),
        ]

    def measure_sweep(self) -> Row:
        runs = max(self.o["sweep_runs"], 1)
        self.out(f"\n== deadline sweep, {self.o['due']:,} rows made due, {runs} run(s) ==")
        all_figures = []
        for _run in range(runs):
            queue = f"benchmark-sweep-{time.monotonic_ns()}"
            with override_settings(NOTIFY_QUEUE=queue):
                figures = sweep.run(self.o["due"], queue=queue)
            drop_queue(queue, redis_url=settings.REDIS_URL, var_dir=settings.VAR_DIR, out=self.out)
            self.out(f"  {figures.seconds:.3f} s, {figures.queries} queries, {figures.result}")
            all_figures.append(figures)
        budget = plan.SWEEP_SECONDS * self.scale
        notes = []
        for figures in all_figures:
            if figures.result["claimed"] != figures.due:
                notes.append(f"the sweep claimed {figures.result['claimed']} rows, {figures.due} were due")
            if figures.due < self.o["due"]:
                notes.append(f"only {figures.due} untouched running deadline rows were left to make due")
        by_time = sorted(all_figures, key=lambda f: f.seconds)
        median = by_time[len(by_time) // 2]
        per_row = median.queries / median.due if median.due else 0
        within = not notes and median.due > 0 and median.seconds <= budget
        value = f"{median.seconds * 1000:,.0f} ms"
        if runs > 1:
            value = (
                f"median {value} ({by_time[0].seconds * 1000:,.0f}–{by_time[-1].seconds * 1000:,.0f} ms, "
                f"{runs} runs)"
            )
        return Row(
            f"deadline sweep, {median.due:,} due of {median.open_orders:,} open",
            value,
            "–",
            f"{median.queries} ({per_row:.1f} per due row)",
            f"≤ {budget:g} s",
            "within" if within else "outside",
            notes,
        )

    def memory_row(self, rss: list[float]) -> Row:
        budget = plan.WORKER_RSS_MB * self.scale
        top = max(rss) if rss else None
        return Row(
            "one gunicorn worker, resident memory after the run",
            f"{top:,.0f} MB" if top else "–",
            "–",
            "–",
            f"≤ {budget:,.0f} MB",
            "within" if top is not None and top <= budget else "outside",
            [] if rss else ["could not read the workers' /proc status"],
        )

    @staticmethod
    def machine() -> str:
        try:
            load = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115
            cores = len([ln for ln in open("/proc/cpuinfo") if ln.startswith("processor")])  # noqa: SIM115
            return f"{cores} cores, load average {' '.join(load)}"
        except OSError:
            return "machine unknown"
