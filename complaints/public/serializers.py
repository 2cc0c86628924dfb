"""The public API's shapes: the progress lookup's query and answer."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .forms import phone_last4_validator
from .selectors import Stage


class TrackQuery(serializers.Serializer):
    tracking_no = serializers.CharField(max_length=32, help_text=_("The tracking number (受理编号)."))
    phone_last4 = serializers.CharField(
        min_length=4,
        max_length=4,
        validators=[phone_last4_validator],
        help_text=_("The last four digits of the contact phone given with the complaint."),
    )


class TrackAnswerSerializer(serializers.Serializer):
    """What a customer may know of their complaint: never a staff name, a phone or an address."""

    tracking_no = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    stage_label = serializers.CharField(help_text=_("The stage in plain words, in the asked language."))
    received_at = serializers.DateTimeField()
    dispatched_at = serializers.DateTimeField(allow_null=True)
    replied_at = serializers.DateTimeField(allow_null=True, help_text=_("When the reply was approved."))
    closed_at = serializers.DateTimeField(allow_null=True)
    reply = serializers.CharField(allow_null=True, help_text=_("The reply, once approved; else null."))
    merged_into = serializers.CharField(
        allow_null=True,
        help_text=_("The customer's order this one was merged into, when it was."),
    )


class PublicErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
