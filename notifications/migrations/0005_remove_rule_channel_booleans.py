"""Drop the per-channel boolean columns of rules (0004 copied them into ``channels``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_rule_channels_data")]

    operations = [
        migrations.RemoveField(model_name="notificationrule", name="email"),
        migrations.RemoveField(model_name="notificationrule", name="inapp"),
        migrations.RemoveField(model_name="notificationrule", name="sms"),
    ]
