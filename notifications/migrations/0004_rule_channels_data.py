"""Copy each rule's channel booleans (inapp, email, sms) into its ``channels`` list, and back."""

from django.db import migrations

# The boolean columns of 0001, in the order the list keeps them.
BOOLEAN_CHANNELS = ("inapp", "email", "sms")


def booleans_to_list(apps, schema_editor):
    NotificationRule = apps.get_model("notifications", "NotificationRule")
    rules = list(NotificationRule.objects.using(schema_editor.connection.alias).all())
    for rule in rules:
        rule.channels = [code for code in BOOLEAN_CHANNELS if getattr(rule, code)]
    NotificationRule.objects.using(schema_editor.connection.alias).bulk_update(rules, ["channels"])


def list_to_booleans(apps, schema_editor):
    # Channels other than these three (added after 0005) have no column to go back to.
    NotificationRule = apps.get_model("notifications", "NotificationRule")
    rules = list(NotificationRule.objects.using(schema_editor.connection.alias).all())
    for rule in rules:
        for code in BOOLEAN_CHANNELS:
            setattr(rule, code, code in (rule.channels or []))
    NotificationRule.objects.using(schema_editor.connection.alias).bulk_update(rules, list(BOOLEAN_CHANNELS))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_rule_channels")]

    operations = [migrations.RunPython(booleans_to_list, list_to_booleans)]
