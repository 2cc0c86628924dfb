"""Formerly seeded the default rules and templates. They are now created after every ``migrate`` by
``notifications.defaults.sync_defaults`` (post_migrate, and ``manage.py sync_notifications``), which
works with the current models; this migration stays, as a no-op, so that the graph is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
