import re
import unicodedata

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.validators import phone_validator

from .models import Category, Channel, account_validator, normalize_phone
from .validators import (
    CONTACT_PHONE_REQUIRED,
    contact_phone_missing,
    validate_leaf_category,
    validate_received_at,
)

ACCOUNT_ASCII_RE = re.compile(r"[0-9]{10}")


def _ascii_digits(value: str) -> str:
    """Full-width digits (３３０１…, typed with a Chinese input method) become ASCII digits."""
    return unicodedata.normalize("NFKC", value or "")


class ComplaintInput(serializers.Serializer):
    """The intake body. ``received_at`` is bounded by who sends it (``validate_received_at``): pass
    the ``request`` in the context."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    customer_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    account_no = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default="", validators=[account_validator]
    )
    address = serializers.CharField(max_length=255)
    # Kept exactly as typed: Chinese paragraphs start with an ideographic-space indent (　　).
    content = serializers.CharField(max_length=10000, trim_whitespace=False)
    demand = serializers.CharField(max_length=4000, trim_whitespace=False)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    received_at = serializers.DateTimeField(required=False, allow_null=True)
    event_time = serializers.DateTimeField(required=False, allow_null=True)
    is_anonymous = serializers.BooleanField(required=False, default=False)
    is_confidential = serializers.BooleanField(required=False, default=False)
    upgrade_tendency = serializers.BooleanField(required=False, default=False)
    sms_opt_out = serializers.BooleanField(
        required=False,
        default=False,
        help_text="the customer asked for no SMS (acknowledgement, notices, survey)",
    )
    external_ref = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=["zh-hans", "en"],
        required=False,
        allow_blank=True,
        default="",
        help_text="the language of the SMS to the customer (blank: the system's default)",
    )
    related_to = serializers.IntegerField(
        required=False, allow_null=True, help_text="id of an earlier order this complaint is about"
    )
    draft = serializers.BooleanField(
        required=False, default=False, help_text="keep the order in intake instead of submitting it"
    )

    def validate_phone(self, value):
        value = normalize_phone(_ascii_digits(value))
        if value:
            phone_validator(value)
            if not value.isascii():  # \d also matches other scripts' digits
                raise serializers.ValidationError(phone_validator.message, code=phone_validator.code)
        return value

    def validate_account_no(self, value):
        value = _ascii_digits(value)
        if value and not ACCOUNT_ASCII_RE.fullmatch(value):
            raise serializers.ValidationError(account_validator.message, code=account_validator.code)
        return value

    def validate_category(self, category):
        validate_leaf_category(category)
        return category

    def validate(self, data):
        errors = {}
        if contact_phone_missing(is_anonymous=data.get("is_anonymous"), phone=data.get("phone")):
            errors["phone"] = [CONTACT_PHONE_REQUIRED]
        request = self.context.get("request")
        try:
            validate_received_at(
                data.get("received_at"),
                channel=data.get("channel"),
                user=getattr(request, "user", None),
            )
        except DjangoValidationError as exc:
            errors["received_at"] = exc.messages
        if errors:
            raise serializers.ValidationError(errors)
        return data


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    is_leaf = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "level", "is_leaf"]

    def get_is_leaf(self, cat) -> bool:
        return cat.pk not in self.context.get("parents", set())
