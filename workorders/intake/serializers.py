"""The intake API's output: the complaint with its new order, a customer with the orders seen."""

from rest_framework import serializers

from complaints.models import Complaint, Customer

from ..models import Status


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
            "sms_opt_out",
            "language",
            "external_ref",
            "workorder",
            "possible_duplicates",
        ]

    def get_possible_duplicates(self, complaint) -> list[dict]:
        dups = getattr(complaint.workorder, "duplicates", [])
        return DuplicateSerializer(dups, many=True).data


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
        return sum(1 for o in self._orders(customer) if o.status != Status.CLOSED)
