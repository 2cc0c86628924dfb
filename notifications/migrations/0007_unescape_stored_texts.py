"""Texts written before notification rendering turned autoescaping off were stored HTML-escaped
(``A&amp;B``): the inbox page then showed ``&amp;`` and SMS/e-mail carried the entities. Unescape
them once: inbox rows, and deliveries that may still be sent (a sent one stays as it went out).

Escaping always leaves an ``&``, so only rows containing one are read, in batches by primary key.
"""

import html

from django.db import migrations
from django.db.models import Q

BATCH = 1000


def _unescape(model, fields, queryset):
    has_amp = Q()
    for field in fields:
        has_amp |= Q(**{f"{field}__contains": "&"})
    last = 0
    while True:
        rows = list(queryset.filter(has_amp, pk__gt=last).order_by("pk").only("pk", *fields)[:BATCH])
        if not rows:
            return
        for row in rows:
            for field in fields:
                setattr(row, field, html.unescape(getattr(row, field)))
        model.objects.bulk_update(rows, fields)
        last = rows[-1].pk


def unescape_stored_texts(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Delivery = apps.get_model("notifications", "Delivery")
    _unescape(Notification, ["title", "body"], Notification.objects.all())
    _unescape(Delivery, ["subject", "body"], Delivery.objects.exclude(state="sent"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_duty_recipients"),
    ]

    operations = [
        migrations.RunPython(unescape_stored_texts, migrations.RunPython.noop, elidable=True),
    ]
