"""Outage API (``/api/v1/outages/``), as design.md's second stage fixes it.

- ``GET /api/v1/outages/``: outages, newest first, each with its confirmed orders counted (in the
  caller's scope); ``GET /api/v1/outages/<id>/``: one, with its linked order ids.
- ``POST /api/v1/outages/`` ``{area, started_at, expected_restore_at, cause}`` (and optional
  ``restored_at``, ``unit``, ``external_ref``): dispatchers. The distribution system posts with the
  token of a user holding the dispatcher role, with its own id as ``external_ref``: a repeated post
  answers 200 with the same outage (restore times refreshed) instead of 201 with a new one.
- ``POST /api/v1/outages/<id>/link/`` ``{orders: [ids]}``: dispatchers confirm orders as caused by
  the outage; ``{linked, already, refused}``; idempotent.
- ``POST /api/v1/outages/<id>/bulk/<action>/`` (``assign``, ``reply``, ``close``) ``{orders (optional:
  every confirmed order in scope), text, department, assignee, cause, measures, truthfulness,
  responsible_department}`` with an optional ``Idempotency-Key`` header: each order through the
  lifecycle on its own; ``{action, succeeded: [{id, tracking_no, status}], refused: [{id, code,
  detail}]}``; a repeat with the same key answers the first result (header ``Idempotent-Replayed``).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Department
from config.errors import DomainError

from . import selectors, services
from .models import OutageEvent, OutageSource


class OutageInput(serializers.Serializer):
    area = serializers.CharField(max_length=500)
    started_at = serializers.DateTimeField()
    expected_restore_at = serializers.DateTimeField(required=False, allow_null=True)
    restored_at = serializers.DateTimeField(required=False, allow_null=True)
    cause = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(kind=Department.Kind.SUPPLY_UNIT), required=False, allow_null=True
    )
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)


class OutageSerializer(serializers.ModelSerializer):
    linked_count = serializers.SerializerMethodField()

    class Meta:
        model = OutageEvent
        fields = [
            "id",
            "area",
            "unit",
            "started_at",
            "expected_restore_at",
            "restored_at",
            "cause",
            "source",
            "external_ref",
            "created_at",
            "linked_count",
        ]

    def get_linked_count(self, outage) -> int:
        counts = self.context.get("counts") or {}
        return counts.get(outage.pk, {}).get("total", 0)


class OutageDetailSerializer(OutageSerializer):
    orders = serializers.SerializerMethodField()

    class Meta(OutageSerializer.Meta):
        fields = [*OutageSerializer.Meta.fields, "orders"]

    def get_orders(self, outage) -> list[int]:
        return list(
            selectors.outage_orders(self.context["request"].user, outage, confirmed=True).values_list(
                "pk", flat=True
            )
        )


class LinkInput(serializers.Serializer):
    orders = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000
    )


class LinkResultSerializer(serializers.Serializer):
    linked = serializers.ListField(child=serializers.IntegerField())
    already = serializers.ListField(child=serializers.IntegerField())
    refused = serializers.ListField(child=serializers.DictField())


class BulkInput(serializers.Serializer):
    orders = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=True, max_length=1000
    )
    text = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    department = serializers.IntegerField(required=False, allow_null=True)
    assignee = serializers.IntegerField(required=False, allow_null=True)
    cause = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    measures = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    truthfulness = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    responsible_department = serializers.IntegerField(required=False, allow_null=True)


class BulkRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_no = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)


class BulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    succeeded = BulkRowSerializer(many=True)
    refused = BulkRowSerializer(many=True)


class OutageListCreateApi(APIView):
    @extend_schema(responses={200: OutageSerializer(many=True)})
    def get(self, request):
        outages = list(selectors.outage_list(request.user)[:200])
        counts = selectors.linked_counts(request.user, outages)
        return Response(OutageSerializer(outages, many=True, context={"counts": counts}).data)

    @extend_schema(request=OutageInput, responses={201: OutageSerializer, 200: OutageSerializer})
    def post(self, request):
        data = OutageInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        outage, created = services.outage_create(actor=request.user, source=OutageSource.API, **fields)
        counts = selectors.linked_counts(request.user, [outage])
        body = OutageSerializer(outage, context={"counts": counts}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OutageDetailApi(APIView):
    @extend_schema(responses={200: OutageDetailSerializer})
    def get(self, request, pk):
        outage = get_object_or_404(OutageEvent, pk=pk)
        counts = selectors.linked_counts(request.user, [outage])
        return Response(OutageDetailSerializer(outage, context={"counts": counts, "request": request}).data)


class OutageLinkApi(APIView):
    @extend_schema(request=LinkInput, responses={200: LinkResultSerializer})
    def post(self, request, pk):
        outage = get_object_or_404(OutageEvent, pk=pk)
        data = LinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.outage_link(
            actor=request.user, outage=outage, order_ids=data.validated_data["orders"]
        )
        return Response(result.as_dict())


class OutageBulkApi(APIView):
    @extend_schema(
        request=BulkInput,
        responses={200: BulkResultSerializer},
        parameters=[
            OpenApiParameter(
                "action",
                str,
                OpenApiParameter.PATH,
                enum=list(services.BULK_ACTIONS),
                description="assign, reply or close",
            ),
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="A repeated request with the same key answers the first result and acts no more.",
            ),
        ],
    )
    def post(self, request, pk, action):
        outage = get_object_or_404(OutageEvent, pk=pk)
        if action not in services.BULK_ACTIONS:
            raise DomainError(_("Unknown action."), code="unknown_action")
        data = BulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        order_ids = fields.pop("orders", None)
        result, replayed = services.outage_bulk(
            actor=request.user,
            outage=outage,
            action=action,
            order_ids=order_ids,
            data=fields,
            key=request.headers.get("Idempotency-Key", ""),
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return Response(result, headers=headers)
