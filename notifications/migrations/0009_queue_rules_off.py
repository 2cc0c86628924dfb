"""Issue 14: a reply to review and an approved order to call back are in the supervisors' and the
agents' queues; the default matrix no longer sends a notice per order for them
(``defaults.DEFAULT_RULES``). ``sync_defaults`` never changes an existing row, so this switches the
two rules off where they are still exactly the old default (active, same channels, not urgent);
a rule an administrator changed is left alone. Backwards switches them on again."""

from django.db import migrations

OLD = [
    ("reply", "supervisors", ["inapp", "email"]),
    ("approve", "agents", ["inapp"]),
]


def switch(active):
    def run(apps, schema_editor):
        NotificationRule = apps.get_model("notifications", "NotificationRule")
        rules = NotificationRule.objects.using(schema_editor.connection.alias)
        for event_type, recipients, channels in OLD:
            for rule in rules.filter(event_type=event_type, recipients=recipients, is_active=not active):
                if list(rule.channels) == channels and not rule.urgent:
                    rule.is_active = active
                    rule.save(update_fields=["is_active"])

    return run


class Migration(migrations.Migration):
    dependencies = [("notifications", "0008_webhook_url_public_addresses")]

    operations = [migrations.RunPython(switch(False), switch(True))]
