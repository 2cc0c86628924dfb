"""The order's next due time as columns (issue 12): the queues sort on an index instead of probing
every order's deadline rows. Filled here from the open deadline rows; kept since by the deadline
effects (``deadlines.engine.sync_next_due``)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_next_due(apps, schema_editor):
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    Deadline = apps.get_model("workorders", "Deadline")
    running = Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, held_since__isnull=True)
    first = running.filter(order_id=OuterRef("pk")).order_by("due_at", "pk")
    # Only the orders with a running clock (the open ones, a few percent of a large table).
    WorkOrder.objects.filter(pk__in=running.values("order_id")).update(
        next_due_at=Subquery(first.values("due_at")[:1]),
        next_started_at=Subquery(first.values("started_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0015_centre_urging_and_stage_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="next_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="next due"),
        ),
        migrations.AddField(
            model_name="workorder",
            name="next_started_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="next due's clock started"
            ),
        ),
        migrations.RunPython(fill_next_due, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(fields=["department", "status", "next_due_at", "id"], name="wo_dept_status_due"),
        ),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(fields=["status", "next_due_at", "id"], name="wo_status_due"),
        ),
    ]
