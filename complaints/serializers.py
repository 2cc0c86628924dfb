import re
import unicodedata

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.validators import phone_validator

from .models import Category, Channel, Complaint, Customer, account_validator, normalize_phone

ACCOUNT_ASCII_RE = re.compile(r"[0-9]{10}")


def _ascii_digits(value: str) -> str:
    """Full-width digits (３３０１…, typed with a Chinese input method) become ASCII digits."""
    return unicodedata.normalize("NFKC", value or "")


class ComplaintInput(serializers.Serializer):
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
    external_ref = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
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
        if category is not None and not category.is_leaf:
            raise serializers.ValidationError(
                _("Choose a category of the lowest level (e.g. 040101 低电压).")
            )
        return category

    def validate(self, data):
        if not data.get("is_anonymous") and not data.get("phone"):
            raise serializers.ValidationError(
                {"phone": [_("A contact phone is required unless the complaint is anonymous.")]}
            )
        return data


class WorkOrderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    level = serializers.CharField()
    is_repeat = serializers.BooleanField()
    repeat_of = serializers.IntegerField(source="repeat_of_id", allow_null=True)


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_no = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()


class ComplaintSerializer(serializers.ModelSerializer):
    workorder = WorkOrderRefSerializer(read_only=True)
    possible_duplicates = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "tracking_no",
            "channel",
            "customer",
            "customer_name",
            "phone",
            "account_no",
            "address",
            "content",
            "demand",
            "category",
            "received_at",
            "event_time",
            "is_anonymous",
            "is_confidential",
            "upgrade_tendency",
            "external_ref",
            "workorder",
            "possible_duplicates",
        ]

    def get_possible_duplicates(self, complaint) -> list[dict]:
        dups = getattr(complaint.workorder, "duplicates", [])
        return DuplicateSerializer(dups, many=True).data


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    is_leaf = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "level", "is_leaf"]

    def get_is_leaf(self, cat) -> bool:
        return cat.pk not in self.context.get("parents", set())


class CustomerHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_no = serializers.CharField()
    status = serializers.CharField()
    level = serializers.CharField()
    received_at = serializers.DateTimeField()
    category = serializers.CharField(source="category.code", allow_null=True, default=None)
    content = serializers.CharField(source="complaint.content")
    is_repeat = serializers.BooleanField()
    outcome = serializers.CharField()
    satisfaction = serializers.CharField()


class CustomerSerializer(serializers.ModelSerializer):
    orders = serializers.SerializerMethodField()
    open_orders = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "account_no",
            "name",
            "phone",
            "alt_phone",
            "address",
            "supply_unit",
            "is_key_customer",
            "is_sensitive",
            "open_orders",
            "orders",
        ]

    def _orders(self, customer):
        return self.context["orders_by_customer"].get(customer.pk, [])

    def get_orders(self, customer) -> list[dict]:
        return CustomerHistorySerializer(self._orders(customer), many=True).data

    def get_open_orders(self, customer) -> int:
        return sum(1 for o in self._orders(customer) if o.status != "closed")
