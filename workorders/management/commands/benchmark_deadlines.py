"""Benchmark the deadline sweep (not a test): N open orders, M of them due, sweep time for two N.

Loads rows with INSERT … SELECT generate_series (no ORM loop), runs the sweep as of a fixed time,
resets the M due rows and repeats; then grows N and measures again. The budget (design.md) is
≤ 1 s for 1,000,000 open orders with 1,000 due, and the time must follow M, not N.
Everything it created is deleted at the end unless --keep.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Department
from complaints.models import Complaint, Customer
from workorders.deadlines.sweep import sweep
from workorders.models import Deadline, OrderSla, StatsOrderFacts, WorkOrder, WorkOrderEvent

SERIES = "__series__"


def _insert_select(model, exprs: dict, source_sql: str, params: list):
    """INSERT INTO model's table every concrete column: ``exprs`` gives SQL (or (SQL, params)) for
    some, the others get their Python default as a parameter (Django keeps defaults in Python)."""
    cols, values, args = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(connection.ops.quote_name(f.column))
        if f.attname in exprs:
            expr = exprs[f.attname]
            sql, expr_params = (expr, []) if isinstance(expr, str) else expr
            values.append(sql)
            args.extend(expr_params)
        else:
            default = f.get_default()
            if default is None and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)):
                default = timezone.now()
            values.append("%s")
            args.append(f.get_db_prep_save(default, connection))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(values)} {source_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, args + params)
        return cursor.rowcount


def _purge_messages(cursor, events_sql: str, params: list) -> None:
    """Delete the notification rows the sweep wrote for these events (messages, inbox rows,
    deliveries and their log): the database keeps the foreign keys, Django's cascade is in Python."""
    messages = f"SELECT id FROM notifications_message WHERE source_event_id IN ({events_sql})"
    deliveries = f"SELECT id FROM notifications_delivery WHERE message_id IN ({messages})"
    cursor.execute(f"DELETE FROM notifications_deliveryattempt WHERE delivery_id IN ({deliveries})", params)
    cursor.execute(f"DELETE FROM notifications_delivery WHERE message_id IN ({messages})", params)
    cursor.execute(f"DELETE FROM notifications_notification WHERE message_id IN ({messages})", params)
    cursor.execute(f"DELETE FROM notifications_message WHERE source_event_id IN ({events_sql})", params)


class Command(BaseCommand):
    help = "Time the deadline sweep with N open orders of which M are due (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--orders", type=int, default=1_000_000, help="N, open orders (default 1,000,000)"
        )
        parser.add_argument("--due", type=int, default=1_000, help="M, deadlines due now (default 1,000)")
        parser.add_argument("--small", type=int, default=None, help="the first, smaller N (default N/10)")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--keep", action="store_true", help="keep the generated rows")

    def handle(self, *args, orders, due, small, repeat, keep, **options):
        if connection.vendor != "postgresql":
            self.stderr.write("warning: not PostgreSQL; the budget is defined for PostgreSQL")
        small = small or max(due, orders // 10)
        if not due <= small <= orders:
            raise CommandError("need M ≤ small N ≤ N")
        now = timezone.now().replace(microsecond=0)
        self.marks = {
            "complaint": Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            "order": WorkOrder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            "deadline": Deadline.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            "event": WorkOrderEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        }
        unit = Department.objects.order_by("path").first() or Department.objects.create(
            code="BENCH", name="benchmark company", kind=Department.Kind.COMPANY
        )
        customer = Customer.objects.create(name="benchmark", phone="13900000000", address="benchmark")
        self.stdout.write(f"database {connection.vendor}; N = {small:,} then {orders:,}; M = {due:,}")
        try:
            t0 = time.perf_counter()
            self._load(1, small, due=due, now=now, unit=unit, customer=customer)
            self.stdout.write(f"loaded {small:,} open orders in {time.perf_counter() - t0:.1f} s")
            first = self._measure(now, due, repeat)
            t0 = time.perf_counter()
            if orders > small:
                self._load(small + 1, orders, due=0, now=now, unit=unit, customer=customer)
            self.stdout.write(f"loaded {orders - small:,} more in {time.perf_counter() - t0:.1f} s")
            second = self._measure(now, due, repeat)
            self.stdout.write("")
            self.stdout.write(f"N = {small:>9,}  M = {due:,}: sweep {first:.3f} s (median of {repeat})")
            self.stdout.write(f"N = {orders:>9,}  M = {due:,}: sweep {second:.3f} s (median of {repeat})")
            self.stdout.write(
                f"budget ≤ 1 s: {'met' if second <= 1 else 'MISSED'}; "
                f"ratio large/small N = {second / first:.2f}"
            )
        finally:
            if not keep:
                self._cleanup(customer)

    def _load(self, start, end, *, due, now, unit, customer):
        """Orders start..end; the first ``due`` of them have a deadline due as of ``now``.

        Each step selects the rows the previous step made by id (> the maximum before it), not with
        NOT EXISTS: the planner thinks a freshly emptied table is empty and would rescan it per row."""

        def top(model):
            return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        with transaction.atomic():
            complaint_mark, order_mark = top(Complaint), top(WorkOrder)
            _insert_select(
                Complaint,
                {
                    "tracking_no": "'BM' || lpad(g::text, 12, '0')",
                    "channel": "'phone_95598'",
                    "customer_id": ("%s", [customer.pk]),
                    "address": "'benchmark'",
                    "content": "'benchmark'",
                    "demand": "'benchmark'",
                    "received_at": ("%s::timestamptz - (g %% 1000) * interval '1 minute'", [now]),
                },
                "FROM generate_series(%s, %s) g",
                [start, end],
            )
            _insert_select(
                WorkOrder,
                {
                    "complaint_id": "c.id",
                    "tracking_no": "c.tracking_no",
                    "channel": "c.channel",
                    "customer_id": "c.customer_id",
                    "received_at": "c.received_at",
                    "unit_id": ("%s", [unit.pk]),
                    "status": "'processing'",
                    "level": "'special'",
                },
                "FROM complaints_complaint c WHERE c.id > %s",
                [complaint_mark],
            )
            # One reply deadline per order. Due rows: half need their reminder, half breach, now.
            due_sql = (
                "CASE WHEN n <= %s THEN %s::timestamptz - (n %% 2) * interval '2 hours' + interval '1 hour' "
                "ELSE %s::timestamptz + (n %% 4000 + 60) * interval '1 minute' END"
            )
            _insert_select(
                Deadline,
                {
                    "order_id": "w.id",
                    "stage": "'reply'",
                    "started_at": "w.received_at",
                    "limit_value": "4",
                    "limit_unit": "'working_days'",
                    "original_due_at": (due_sql, [due, now, now]),
                    "due_at": (due_sql, [due, now, now]),
                    "warn_at": (
                        "CASE WHEN n <= %s THEN %s::timestamptz - interval '2 hours' "
                        "ELSE %s::timestamptz + (n %% 4000 + 30) * interval '1 minute' END",
                        [due, now, now],
                    ),
                    "next_at": (
                        "CASE WHEN n <= %s THEN %s::timestamptz - interval '1 minute' "
                        "ELSE %s::timestamptz + (n %% 4000 + 30) * interval '1 minute' END",
                        [due, now, now],
                    ),
                },
                "FROM (SELECT w.*, row_number() OVER (ORDER BY w.id) + %s - 1 AS n "
                "FROM workorders_workorder w WHERE w.id > %s) w",
                [start, order_mark],
            )
        with connection.cursor() as cursor:
            for table in ("complaints_complaint", "workorders_workorder", "workorders_deadline"):
                cursor.execute(f"ANALYZE {table}")

    def _reset(self, now):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE workorders_deadline SET warned_at = NULL, breached_at = NULL, "
                "breach_notified_at = NULL, escalation_level = 0, escalated_at = NULL, "
                "next_at = %s::timestamptz - interval '1 minute' "
                "WHERE id > %s AND warned_at IS NOT NULL OR id > %s AND breached_at IS NOT NULL",
                [now, self.marks["deadline"], self.marks["deadline"]],
            )
            events = "SELECT id FROM workorders_workorderevent WHERE id > %s AND action LIKE 'deadline_%%'"
            _purge_messages(cursor, events, [self.marks["event"]])
            cursor.execute(
                f"DELETE FROM workorders_workorderevent WHERE id IN ({events})", [self.marks["event"]]
            )
            cursor.execute(
                "UPDATE workorders_workorder SET is_overdue = false WHERE id > %s AND is_overdue",
                [self.marks["order"]],
            )

    def _measure(self, now, due, repeat):
        times = []
        for i in range(repeat):
            self._reset(now)
            t0 = time.perf_counter()
            result = sweep(now=now, max_batches=10_000)
            times.append(time.perf_counter() - t0)
            self.stdout.write(f"  run {i + 1}: {times[-1]:.3f} s  {result.as_dict()}")
            if result.claimed != due:
                raise CommandError(f"expected {due} due rows, the sweep claimed {result.claimed}")
        return statistics.median(times)

    def _cleanup(self, customer):
        with transaction.atomic(), connection.cursor() as cursor:
            orders = "SELECT id FROM workorders_workorder WHERE id > %s AND tracking_no LIKE 'BM%%'"
            events = f"SELECT id FROM workorders_workorderevent WHERE order_id IN ({orders})"
            _purge_messages(cursor, events, [self.marks["order"]])
            cursor.execute(
                f"DELETE FROM workorders_workorderevent WHERE id IN ({events})", [self.marks["order"]]
            )
            for table in (StatsOrderFacts._meta.db_table, OrderSla._meta.db_table):
                cursor.execute(f"DELETE FROM {table} WHERE order_id IN ({orders})", [self.marks["order"]])
            cursor.execute("DELETE FROM workorders_deadline WHERE id > %s", [self.marks["deadline"]])
            cursor.execute(
                "DELETE FROM workorders_workorder WHERE id > %s AND tracking_no LIKE 'BM%%'",
                [self.marks["order"]],
            )
            cursor.execute(
                "DELETE FROM complaints_complaint WHERE id > %s AND tracking_no LIKE 'BM%%'",
                [self.marks["complaint"]],
            )
            cursor.execute("DELETE FROM complaints_customer WHERE id = %s", [customer.pk])
        if connection.vendor == "postgresql":
            # Dead index entries would slow the next run's unique checks: reclaim them now.
            with connection.cursor() as cursor:
                for table in (
                    "workorders_workorderevent",
                    "workorders_deadline",
                    "workorders_workorder",
                    "complaints_complaint",
                ):
                    cursor.execute(f"VACUUM ANALYZE {table}")
        self.stdout.write("benchmark rows deleted")
