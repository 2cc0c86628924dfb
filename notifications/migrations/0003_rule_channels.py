"""Rules name their channels in a list of registry codes (``channels``) instead of one boolean
column per channel; choices of event types and channels become callables (no migration follows a
new one). The booleans are copied by 0004 and dropped by 0005."""

from django.db import migrations, models

import notifications.channels.registry
import notifications.events
import notifications.models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_seed_defaults"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationrule",
            name="channels",
            field=models.JSONField(
                blank=True,
                default=notifications.models.default_rule_channels,
                validators=[notifications.channels.registry.validate_rule_channels],
                verbose_name="channels",
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="channel",
            field=models.CharField(
                choices=notifications.channels.registry.channel_choices, max_length=10, verbose_name="channel"
            ),
        ),
        migrations.AlterField(
            model_name="notificationpreference",
            name="channel",
            field=models.CharField(
                choices=notifications.channels.registry.preference_channel_choices,
                max_length=10,
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="notificationpreference",
            name="event_type",
            field=models.CharField(
                choices=notifications.events.event_type_choices, max_length=32, verbose_name="event type"
            ),
        ),
        migrations.AlterField(
            model_name="notificationrule",
            name="event_type",
            field=models.CharField(
                choices=notifications.events.event_type_choices,
                db_index=True,
                max_length=32,
                verbose_name="event type",
            ),
        ),
        migrations.AlterField(
            model_name="notificationtemplate",
            name="channel",
            field=models.CharField(
                choices=notifications.channels.registry.channel_choices, max_length=10, verbose_name="channel"
            ),
        ),
        migrations.AlterField(
            model_name="notificationtemplate",
            name="event_type",
            field=models.CharField(
                choices=notifications.events.event_type_choices, max_length=32, verbose_name="event type"
            ),
        ),
    ]
