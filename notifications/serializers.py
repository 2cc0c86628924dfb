from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .events import EVENT_TYPES
from .models import Notification, NotificationPreference, NotificationSettings, WebhookSubscription


class NotificationSerializer(serializers.ModelSerializer):
    tracking_no = serializers.CharField(source="order.tracking_no", default=None, read_only=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "event_type",
            "title",
            "body",
            "order",
            "tracking_no",
            "urgent",
            "is_read",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields


class MarkReadInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        allow_empty=True,
        max_length=1000,
    )


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)), required=False)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "secret", "kind", "events", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]


class PreferenceSerializer(serializers.ModelSerializer):
    # Required: a choice without ``enabled`` says nothing (the model's default would switch it on).
    enabled = serializers.BooleanField()

    class Meta:
        model = NotificationPreference
        fields = ["event_type", "channel", "enabled"]


class SettingsSerializer(serializers.ModelSerializer):
    preferences = PreferenceSerializer(many=True, required=False)

    class Meta:
        model = NotificationSettings
        fields = ["quiet_start", "quiet_end", "language", "preferences"]

    def validate_preferences(self, value):
        seen = set()
        for choice in value:
            key = (choice["event_type"], choice["channel"])
            if key in seen:
                raise serializers.ValidationError(
                    _("%(event_type)s / %(channel)s is listed more than once.")
                    % {"event_type": key[0], "channel": key[1]},
                    code="duplicate",
                )
            seen.add(key)
        return value
