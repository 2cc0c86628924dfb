"""The project's benchmark: load N synthetic orders fast, then time what design.md budgets.

    python manage.py benchmark --orders 1000000     # PostgreSQL; use a database of its own

Loading is set-based (INSERT ... SELECT generate_series, no ORM save per row); the aggregates are
then rebuilt by ``stats_rebuild``. Re-running with the same --orders reuses the data loaded before.
Prints: the manager dashboard's time (selectors and the whole page), the pivot's, the work-order
list API's first page p95 (filtered; as a handler and as a supervisor), intake throughput and p95
through the API, and the resident memory of a web process. Timings are measured, never asserted.
"""

import json
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from accounts.demo import seed_organisation
from accounts.models import Department, User
from complaints.models import Category, Complaint, Customer
from workorders.api import WorkOrderListApi
from workorders.models import StatsDaily, WorkOrder
from workorders.stats.aggregates import stats_rebuild
from workorders.stats.reads import StatsFilter, stats_dashboard, stats_pivot, stats_summary

PREFIX = "B"  # tracking numbers of synthetic orders: B000000001 …
CHANNELS = (
    ["phone_95598"] * 12
    + ["web_95598"] * 2
    + ["app"] * 3
    + ["wechat"] * 2
    + ["gov_12345", "regulator_12398", "walk_in", "letter"]
)
LEVELS = ["general"] * 16 + ["important"] * 3 + ["major"]
TRUTH = ["true"] * 5 + ["partly_true"] * 2 + ["not_true"] * 2 + ["unverifiable"]
SATISFACTION = ["satisfied"] * 12 + ["basically_satisfied"] * 4 + ["unsatisfied"] + ["not_rated"]


def _sql_array(values):
    return "ARRAY[" + ",".join(f"'{v}'" if isinstance(v, str) else str(int(v)) for v in values) + "]"


def _pick(values, expr):
    """SQL choosing one of ``values`` by an integer expression (deterministic, skewed by repetition)."""
    return f"({_sql_array(values)})[(({expr}) % {len(values)}) + 1]"


def insert_select(model, exprs: dict, source: str):
    """INSERT INTO model's table (every concrete column) SELECT the given SQL expressions FROM source.

    Columns not in ``exprs`` get their model default (as a parameter), NULL, '' or now().
    """
    columns, selects, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in exprs:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in exprs:
            selects.append(exprs[field.column].replace("%", "%%"))  # literal % next to the parameters
        elif field.default is not NOT_PROVIDED:
            selects.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            selects.append("NULL")
        elif field.get_internal_type() in ("CharField", "TextField"):
            selects.append("''")
        elif field.get_internal_type() == "DateTimeField":
            selects.append("now()")
        else:
            raise CommandError(f"No value for {model.__name__}.{field.name}")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM {source.replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def fmt(times):
    return f"median {statistics.median(times):7.1f} ms   p95 {p95(times):7.1f} ms   (n={len(times)})"


class Command(BaseCommand):
    help = "Load N synthetic orders (PostgreSQL, set-based) and time the dashboard, pivot, list and intake."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=20, help="timed runs per read measurement")
        parser.add_argument("--intake", type=int, default=300, help="sequential intake requests")
        parser.add_argument("--skip-load", action="store_true")
        parser.add_argument("--rebuild", action="store_true", help="rebuild the aggregates even if loaded")

    def handle(self, *args, orders, repeat, intake, skip_load, rebuild, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark loads data with PostgreSQL's generate_series: set DATABASE_URL."
            )
        self.out = lambda msg: self.stdout.write(msg)
        self.ensure_organisation()
        if not skip_load:
            self.load(orders)
        if rebuild:
            self.rebuild()
        n = WorkOrder.objects.count()
        self.out(f"orders in the database: {n:,}; aggregate rows: {StatsDaily.objects.count():,}")
        self.measure_dashboard(repeat)
        self.measure_list(repeat)
        self.measure_intake(intake)
        self.measure_memory()

    # --- data -----------------------------------------------------------------------------------

    def ensure_organisation(self):
        if not User.objects.filter(username="manager").exists():
            seed_organisation(password=settings.DEMO_PASSWORD)

    def load(self, n):
        present = WorkOrder.objects.filter(tracking_no__startswith=PREFIX).count()
        if present >= n:
            self.out(f"{present:,} synthetic orders already loaded; not loading again")
            return
        start_i = present + 1
        todo = n - present
        depts = {d.code: d for d in Department.objects.all()}
        units = [depts[c].pk for c in ("BJ-CD", "BJ-CX", "BJ-CN", "BJ-CD", "BJ-CX", "BJ-CN", "BJ")]
        handling = [
            depts[c].pk
            for c in (
                "BJ-YX",
                "BJ-YX",
                "BJ-YJ",
                "BJ-YJ",
                "BJ-YX-DF",
                "BJ-YJ-QX",
                "BJ-JS",
                "BJ-CD-YY",
                "BJ-CX-YY",
                "BJ-CN-YY",
            )
        ]
        leaves = list(Category.objects.filter(level=3).order_by("code").values_list("pk", flat=True))
        # A skewed category mix: the first leaves are frequent, the tail rare.
        cats = [pk for i, pk in enumerate(leaves) for _ in range(max(1, 8 - i // 4))]
        agent = User.objects.get(username="agent")
        customers = max(1000, n // 10)
        t0 = time.perf_counter()
        with transaction.atomic():
            have = Customer.objects.filter(phone__startswith="199").count()
            if have < customers:
                insert_select(
                    Customer,
                    {
                        "account_no": "'9' || lpad(i::text, 9, '0')",
                        "name": "'客户' || i",
                        "phone": "'199' || lpad(i::text, 8, '0')",
                        "address": "'滨江市合成路' || i || '号'",
                        "supply_unit_id": _pick(units, "i"),
                    },
                    f"generate_series({have + 1}, {customers}) AS s(i)",
                )
            first_customer = (
                Customer.objects.filter(phone__startswith="199")
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            # Received over the last 365 days; i drives every choice deterministically.
            rx = "(now() - ((i::bigint * 7919) % (365 * 86400)) * interval '1 second')"
            insert_select(
                Complaint,
                {
                    "tracking_no": f"'{PREFIX}' || lpad(i::text, 9, '0')",
                    "channel": _pick(CHANNELS, "i * 7"),
                    "customer_id": f"{first_customer} + (i % {customers})",
                    "customer_name": "'客户' || (i % 1000)",
                    "phone": "'199' || lpad((i % 100000000)::text, 8, '0')",
                    "address": "'滨江市合成路' || (i % 5000) || '号'",
                    "content": "'合成投诉内容 ' || i",
                    "demand": "'尽快处理'",
                    "category_id": _pick(cats, "i * 13"),
                    "received_at": rx,
                    "created_by_id": str(agent.pk),
                },
                f"generate_series({start_i}, {n}) AS s(i)",
            )
            self.out(f"complaints inserted: {todo:,} in {time.perf_counter() - t0:.1f} s")
            # Age decides the state: orders older than 10 days are closed; the rest spread over the stages.
            t1 = time.perf_counter()
            age = "extract(epoch from now() - c.received_at)"
            closed = f"({age} > 864000 or (c.id % 10) < 3)"
            status = (
                f"CASE WHEN {closed} THEN 'closed' ELSE "
                + _pick(
                    [
                        "classification",
                        "assignment",
                        "processing",
                        "processing",
                        "processing",
                        "review",
                        "callback",
                    ],
                    "c.id",
                )
                + " END"
            )
            dispatched = f"({closed} or {status} in ('processing', 'review', 'callback'))"
            hours = "(1 + (c.id * 37) % 200)"
            insert_select(
                WorkOrder,
                {
                    "complaint_id": "c.id",
                    "tracking_no": "c.tracking_no",
                    "channel": "c.channel",
                    "customer_id": "c.customer_id",
                    "received_at": "c.received_at",
                    "status": status,
                    "level": _pick(LEVELS, "c.id * 11"),
                    "category_id": "c.category_id",
                    "unit_id": _pick(units, "c.customer_id"),
                    # Routing rules: the handling department follows from the category and the unit.
                    "department_id": f"CASE WHEN {dispatched} THEN "
                    f"{_pick(handling, 'c.category_id * 3 + c.customer_id % 7')} END",
                    "received_by_id": str(agent.pk),
                    "is_overdue": f"(NOT {closed} AND (c.id % 9) = 0) OR ({closed} AND (c.id % 17) = 0)",
                    "is_repeat": "(c.id % 31) = 0",
                    "urge_count": "CASE WHEN (c.id % 13) = 0 THEN 1 ELSE 0 END",
                    "return_count": "CASE WHEN (c.id % 23) = 0 THEN 1 ELSE 0 END",
                    "reopen_count": "CASE WHEN (c.id % 41) = 0 THEN 1 ELSE 0 END",
                    "truthfulness": f"CASE WHEN {closed} THEN {_pick(TRUTH, 'c.id * 3')} ELSE '' END",
                    "satisfaction": f"CASE WHEN {closed} THEN {_pick(SATISFACTION, 'c.id * 5')} ELSE '' END",
                    "outcome": f"CASE WHEN {closed} THEN 'resolved' ELSE '' END",
                    "dispatched_at": f"CASE WHEN {dispatched} THEN c.received_at + interval '1 hour' END",
                    "accepted_at": f"CASE WHEN {dispatched} THEN c.received_at + interval '2 hours' END",
                    "first_contact_at": f"CASE WHEN {closed} THEN c.received_at + interval '5 hours' END",
                    "replied_at": (
                        f"CASE WHEN {closed} THEN c.received_at + {hours} * interval '50 minutes' END"
                    ),
                    "approved_at": (
                        f"CASE WHEN {closed} THEN c.received_at + {hours} * interval '55 minutes' END"
                    ),
                    "closed_at": f"CASE WHEN {closed} THEN c.received_at + {hours} * interval '1 hour' END",
                },
                f"complaints_complaint c WHERE c.tracking_no LIKE '{PREFIX}%' AND NOT EXISTS ("
                f"SELECT 1 FROM workorders_workorder w WHERE w.complaint_id = c.id)",
            )
            self.out(f"work orders inserted: {todo:,} in {time.perf_counter() - t1:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE complaints_customer, complaints_complaint, workorders_workorder")
        self.rebuild()

    def rebuild(self):
        t2 = time.perf_counter()
        rebuilt = stats_rebuild(lock=False, chunk_size=20000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE workorders_statsdaily, workorders_statsopen, workorders_statsorderfacts")
        self.out(
            f"aggregates rebuilt for {rebuilt:,} orders in {time.perf_counter() - t2:.1f} s "
            f"({StatsDaily.objects.count():,} daily rows)"
        )

    # --- measurements -----------------------------------------------------------------------------

    def measure_dashboard(self, repeat):
        manager = User.objects.get(username="manager")
        supervisor = User.objects.get(username="supervisor")
        self.out("\n== manager dashboard (budget ≤ 300 ms at 1,000,000 orders) ==")
        stats_dashboard(manager, StatsFilter())  # warm up
        took = timed(lambda: stats_dashboard(manager, StatsFilter()), repeat)
        self.out(f"dashboard selectors, last 30 days      {fmt(took)}")
        today = timezone.localdate()
        year = StatsFilter(date_from=today.replace(year=today.year - 1), date_to=today)
        took = timed(lambda: stats_dashboard(manager, year), repeat)
        self.out(f"dashboard selectors, last 365 days     {fmt(took)}")
        took = timed(lambda: stats_summary(supervisor, year), repeat)
        self.out(f"summary API figures, 365 days          {fmt(took)}")
        client = Client()
        client.force_login(manager)
        client.get("/dashboard/")
        self.out(
            f"GET /dashboard/ (whole page)           {fmt(timed(lambda: client.get('/dashboard/'), repeat))}"
        )
        self.out("\n== pivot ==")
        for rows, cols, measure in (
            ("unit", "month", "count"),
            ("category2", "channel", "on_time_rate"),
            ("department", "level", "avg_handling_hours"),
        ):
            label = f"pivot {rows} × {cols} ({measure}), 365 days"

            def pivot(rows=rows, cols=cols, measure=measure):
                return stats_pivot(manager, year, rows=rows, cols=cols, measure=measure)

            self.out(f"{label:<40}{fmt(timed(pivot, repeat))}")

    def measure_list(self, repeat):
        self.out("\n== work-order list API, first page, filtered (budget p95 ≤ 100 ms) ==")
        view = WorkOrderListApi.as_view()
        factory = APIRequestFactory()
        handler = User.objects.get(username="handler")
        supervisor = User.objects.get(username="supervisor")
        cases = [
            ("handler, status=processing", handler, {"status": "processing"}),
            ("supervisor, status=processing", supervisor, {"status": "processing"}),
            ("supervisor, overdue=true", supervisor, {"overdue": "true"}),
            ("supervisor, level=major&channel=app", supervisor, {"level": "major", "channel": "app"}),
        ]
        for label, user, params in cases:

            def call(user=user, params=params):
                request = factory.get("/api/v1/workorders/", params)
                force_authenticate(request, user=user)
                response = view(request)
                response.render()
                assert response.status_code == 200, response.content[:300]

            call()
            self.out(f"{label:<40}{fmt(timed(call, repeat))}")

    def measure_intake(self, count):
        self.out(f"\n== intake through the API, {count} sequential requests (budget ≥ 300/s, p95 ≤ 50 ms) ==")
        client = APIClient()
        client.force_authenticate(User.objects.get(username="agent"))
        times = []
        started = time.perf_counter()
        for i in range(count):
            body = {
                "channel": "phone_95598",
                "customer_name": "压测客户",
                "phone": f"188{i % 100000000:08d}",
                "address": f"滨江市压测路{i}号",
                "content": "电压偏低，灯光闪烁。",
                "demand": "尽快处理",
            }
            t = time.perf_counter()
            response = client.post("/api/v1/complaints/", body, format="json")
            times.append((time.perf_counter() - t) * 1000)
            if response.status_code != 201:
                raise CommandError(f"intake failed: {response.status_code} {response.content[:300]!r}")
        elapsed = time.perf_counter() - started
        self.out(f"throughput {count / elapsed:7.1f} complaints/s   {fmt(times)}")

    def measure_memory(self):
        """A fresh process that loads the WSGI application and serves the main pages, then reports VmRSS."""
        code = (
            "import os, json\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
            "from config.wsgi import application\n"
            "from django.test import Client\n"
            "from accounts.models import User\n"
            "c = Client()\n"
            "c.force_login(User.objects.get(username='manager'))\n"
            "for url in ['/dashboard/', '/dashboard/pivot/?rows=unit&cols=month', '/api/v1/workorders/',"
            " '/api/v1/stats/summary/', '/healthz']:\n"
            "    for _ in range(5): c.get(url)\n"
            "rss = [l for l in open('/proc/self/status') if l.startswith(('VmRSS', 'VmHWM'))]\n"
            "print(json.dumps({l.split(':')[0]: l.split(':')[1].strip() for l in rss}))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=settings.BASE_DIR
        )
        self.out("\n== one web process, resident memory (budget ≤ 150 MB) ==")
        if result.returncode != 0:
            self.out(f"could not measure: {result.stderr[-500:]}")
            return
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        self.out(
            f"after serving dashboard, pivot, list, summary: VmRSS {figures.get('VmRSS')}, "
            f"peak VmHWM {figures.get('VmHWM')}"
        )
