"""/api/v1/inspections/: list, detail, score, appeal, decide (scoped as the pages are).

A refused action answers ``{"detail", "code"}`` with 409 (wrong state, stale version, appealed
already), 403 (not this user's to do), 400 (bad input) or 404 (not in the caller's scope)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from .models import QUALITY_ITEMS, AppealDecision, Inspection, InspectionState
from .selectors import can_appeal, can_decide, can_score, hasattr_appeal, inspection_get, inspection_list
from .services import QualityError, inspection_appeal, inspection_decide, inspection_score


class AppealSerializer(serializers.Serializer):
    reason = serializers.CharField()
    appealed_by = serializers.CharField(source="appealed_by.username")
    appealed_at = serializers.DateTimeField()
    original_total = serializers.IntegerField(allow_null=True)
    decision = serializers.CharField()
    new_total = serializers.IntegerField(allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_comment = serializers.CharField()


class InspectionSerializer(serializers.ModelSerializer):
    week = serializers.CharField(source="round.week")
    tracking_no = serializers.CharField(source="order.tracking_no", allow_null=True)
    agent = serializers.CharField(source="agent.username", allow_null=True, default=None)
    department = serializers.CharField(source="department.name", allow_null=True, default=None)
    inspector = serializers.CharField(source="inspector.username", allow_null=True, default=None)
    appeal = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "week",
            "order",
            "tracking_no",
            "agent",
            "department",
            "reasons",
            "state",
            "version",
            "scores",
            "total",
            "comment",
            "inspector",
            "scored_at",
            "appeal",
            "actions",
        ]

    @extend_schema_field(AppealSerializer(allow_null=True))
    def get_appeal(self, obj) -> dict | None:
        return AppealSerializer(obj.appeal).data if hasattr_appeal(obj) else None

    def get_actions(self, obj) -> list[str]:
        user = self.context["request"].user
        checks = (("score", can_score), ("appeal", can_appeal), ("decide", can_decide))
        return [name for name, check in checks if check(user, obj)]


class ScoreInput(serializers.Serializer):
    version = serializers.IntegerField()
    scores = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=str({code: maximum for code, _label, maximum in QUALITY_ITEMS}),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AppealInput(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField()


class DecideInput(serializers.Serializer):
    version = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=AppealDecision.choices)
    new_total = serializers.IntegerField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


ERROR = inline_serializer(
    "QualityError", {"detail": serializers.CharField(), "code": serializers.CharField()}
)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class InspectionViewSet(ViewSet):
    """Quality inspections (工单质检) in the caller's scope."""

    serializer_class = InspectionSerializer
    pagination_class = Pages  # the list's answer (and its schema) is a page: count, next, previous, results

    def _get(self, request, pk):
        inspection = inspection_get(request.user, pk)
        if inspection is None:
            raise QualityError("not_found", "Not found.", status=404)
        return inspection

    def _out(self, request, pk, code=status.HTTP_200_OK):
        return Response(InspectionSerializer(self._get(request, pk), context={"request": request}).data, code)

    @staticmethod
    def _refused(error: QualityError):
        return Response({"detail": error.message, "code": error.code}, status=error.status)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=InspectionState.values),
            OpenApiParameter("week", str, description="YYYY-Www"),
        ],
        responses=InspectionSerializer(many=True),
    )
    def list(self, request):
        qs = inspection_list(request.user).order_by("-created_at", "-id")
        if request.query_params.get("state") in InspectionState.values:
            qs = qs.filter(state=request.query_params["state"])
        if request.query_params.get("week"):
            qs = qs.filter(round__week=request.query_params["week"])
        paginator = Pages()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = InspectionSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(responses={200: InspectionSerializer, 404: ERROR})
    def retrieve(self, request, pk=None):
        try:
            return self._out(request, pk)
        except QualityError as error:
            return self._refused(error)

    def _run(self, request, pk, input_class, call):
        body = input_class(data=request.data)
        if not body.is_valid():
            return Response(
                {"detail": "Invalid input.", "code": "invalid", "fields": body.errors}, status=400
            )
        try:
            self._get(request, pk)
            call(body.validated_data)
            return self._out(request, pk)
        except QualityError as error:
            return self._refused(error)

    @extend_schema(
        request=ScoreInput, responses={200: InspectionSerializer, 400: ERROR, 403: ERROR, 409: ERROR}
    )
    def score(self, request, pk=None):
        return self._run(
            request,
            pk,
            ScoreInput,
            lambda d: inspection_score(
                user=request.user,
                inspection_id=int(pk),
                scores=d["scores"],
                comment=d["comment"],
                version=d["version"],
            ),
        )

    @extend_schema(
        request=AppealInput, responses={200: InspectionSerializer, 400: ERROR, 403: ERROR, 409: ERROR}
    )
    def appeal(self, request, pk=None):
        return self._run(
            request,
            pk,
            AppealInput,
            lambda d: inspection_appeal(
                user=request.user, inspection_id=int(pk), reason=d["reason"], version=d["version"]
            ),
        )

    @extend_schema(
        request=DecideInput, responses={200: InspectionSerializer, 400: ERROR, 403: ERROR, 409: ERROR}
    )
    def decide(self, request, pk=None):
        return self._run(
            request,
            pk,
            DecideInput,
            lambda d: inspection_decide(
                user=request.user,
                inspection_id=int(pk),
                decision=d["decision"],
                new_total=d["new_total"],
                comment=d["comment"],
                version=d["version"],
            ),
        )
