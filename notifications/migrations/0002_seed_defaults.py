from django.db import migrations


def seed(apps, schema_editor):
    from notifications.defaults import seed as seed_defaults

    seed_defaults(
        apps.get_model("notifications", "NotificationRule"),
        apps.get_model("notifications", "NotificationTemplate"),
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
