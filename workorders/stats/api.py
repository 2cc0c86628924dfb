"""REST endpoints for statistics and exports (design.md "Statistics" and "Exports")."""

from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.models import Channel
from config.errors import DomainError
from config.protected_media import protected_file_response
from config.routers import replica_reads

from ..models import ExportJob, Level
from .exports import can_export, export_start, exports_visible_to
from .reads import (
    PIVOT_DIMENSIONS,
    PIVOT_MEASURES,
    StatsFilter,
    can_see_statistics,
    stats_pivot,
    stats_summary,
)


class CanSeeStatistics(BasePermission):
    message = gettext_lazy("Statistics are for managers, supervisors and administrators.")

    def has_permission(self, request, view):
        return can_see_statistics(request.user)


class CanExport(BasePermission):
    message = gettext_lazy("Exports are for managers, supervisors and administrators.")

    def has_permission(self, request, view):
        return can_export(request.user)


class StatsFilterInput(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    unit = serializers.IntegerField(required=False)
    department = serializers.IntegerField(required=False)
    category = serializers.CharField(required=False, help_text="category id or code prefix")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        return attrs


class PivotInput(StatsFilterInput):
    rows = serializers.ChoiceField(choices=list(PIVOT_DIMENSIONS))
    cols = serializers.ChoiceField(choices=list(PIVOT_DIMENSIONS), required=False)
    measure = serializers.ChoiceField(choices=list(PIVOT_MEASURES), default="count")


def _rate_field():
    return serializers.FloatField(allow_null=True, min_value=0, max_value=1)


class StageOnTimeSerializer(serializers.Serializer):
    dispatch = _rate_field()
    contact = _rate_field()
    reply = _rate_field()
    review = _rate_field()
    callback = _rate_field()


class SummarySerializer(serializers.Serializer):
    received = serializers.IntegerField(
        help_text="complaints received (merged and dismissed orders excluded)"
    )
    open = serializers.IntegerField()
    closed = serializers.IntegerField()
    merged = serializers.IntegerField(help_text="orders merged into another order as duplicates")
    dismissed = serializers.IntegerField(help_text="orders dismissed as not established (不成立)")
    suspended = serializers.IntegerField(help_text="complaints suspended (挂起) at least once")
    terminated = serializers.IntegerField(help_text="complaints closed as service terminated (服务终止)")
    internal_urged = serializers.IntegerField(
        help_text="complaints the centre urged (催办 to the handling department) at least once"
    )
    platform_received = serializers.IntegerField(help_text="orders from the 12398 and 12345 platforms")
    platform_replied = serializers.IntegerField(help_text="of those, replied back to the platform")
    platform_replied_late = serializers.IntegerField(help_text="of those, replied after the platform's limit")
    platform_satisfaction_rate = _rate_field()
    overdue = serializers.IntegerField(help_text="open orders now overdue")
    on_time_rate = _rate_field()
    satisfaction_rate = _rate_field()
    first_callback_satisfaction_rate = _rate_field()
    repeat_rate = _rate_field()
    truthfulness_rate = _rate_field()
    urge_rate = _rate_field()
    internal_urge_rate = _rate_field()
    return_rate = _rate_field()
    reject_rate = _rate_field()
    reopen_rate = _rate_field()
    avg_handling_hours = serializers.FloatField(allow_null=True)
    p90_handling_hours = serializers.FloatField(allow_null=True)
    stage_on_time = StageOnTimeSerializer()


class PivotHeaderSerializer(serializers.Serializer):
    key = serializers.JSONField()
    label = serializers.CharField()


class PivotSerializer(serializers.Serializer):
    measure = serializers.CharField()
    rows = PivotHeaderSerializer(many=True)
    cols = PivotHeaderSerializer(many=True)
    cells = serializers.ListField(child=serializers.ListField(child=serializers.FloatField(allow_null=True)))
    row_totals = serializers.ListField(child=serializers.FloatField(allow_null=True))
    col_totals = serializers.ListField(child=serializers.FloatField(allow_null=True))
    total = serializers.FloatField(allow_null=True)


def stats_filter(data) -> StatsFilter:
    return StatsFilter(**{k: data.get(k) for k in StatsFilterInput().fields})


FILTER_PARAMS = [
    OpenApiParameter("date_from", str, description="received on or after (YYYY-MM-DD, Asia/Shanghai)"),
    OpenApiParameter("date_to", str, description="received on or before (YYYY-MM-DD)"),
    OpenApiParameter("unit", int),
    OpenApiParameter("department", int),
    OpenApiParameter("category", str, description="category id or code prefix"),
    OpenApiParameter("channel", str, enum=Channel.values),
    OpenApiParameter("level", str, enum=Level.values),
]


class StatsSummaryApi(APIView):
    """Totals and rates of the orders received in the range, within the caller's scope (rates 0..1)."""

    permission_classes = [CanSeeStatistics]

    @extend_schema(parameters=FILTER_PARAMS, responses=SummarySerializer, tags=["statistics"])
    @method_decorator(replica_reads)
    def get(self, request):
        params = StatsFilterInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(
            SummarySerializer(stats_summary(request.user, stats_filter(params.validated_data))).data
        )


class StatsPivotApi(APIView):
    """A pivot table over the daily aggregate: rows × cols of one measure, with totals."""

    permission_classes = [CanSeeStatistics]

    @extend_schema(
        parameters=FILTER_PARAMS
        + [
            OpenApiParameter("rows", str, required=True, enum=list(PIVOT_DIMENSIONS)),
            OpenApiParameter("cols", str, enum=list(PIVOT_DIMENSIONS)),
            OpenApiParameter("measure", str, enum=list(PIVOT_MEASURES), default="count"),
        ],
        responses=PivotSerializer,
        tags=["statistics"],
    )
    @method_decorator(replica_reads)
    def get(self, request):
        params = PivotInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        result = stats_pivot(
            request.user, stats_filter(v), rows=v["rows"], cols=v.get("cols"), measure=v["measure"]
        )
        return Response(result)


class ExportSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True, help_text="0..100")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "status",
            "progress",
            "total",
            "written",
            "filters",
            "created_at",
            "finished_at",
            "download_url",
            "error",
        ]

    def get_download_url(self, job) -> str | None:
        if job.status != ExportJob.State.DONE:
            return None
        url = reverse("api-export-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ExportInput(serializers.Serializer):
    """The order list's filters (GET /api/v1/workorders/ names); all optional."""

    status = serializers.ListField(child=serializers.CharField(), required=False)
    level = serializers.ListField(child=serializers.CharField(), required=False)
    channel = serializers.ListField(child=serializers.CharField(), required=False)
    category = serializers.CharField(required=False)
    department = serializers.IntegerField(required=False)
    unit = serializers.IntegerField(required=False)
    assignee = serializers.IntegerField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    escalated = serializers.BooleanField(required=False, allow_null=True, default=None)
    repeat = serializers.BooleanField(required=False, allow_null=True, default=None)
    customer = serializers.IntegerField(required=False)
    received_from = serializers.DateTimeField(required=False)
    received_to = serializers.DateTimeField(required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    search = serializers.CharField(required=False)


def _filters_from(data) -> dict:
    if not hasattr(data, "getlist"):  # JSON: a single value for a multi-valued filter is fine too
        data = {
            k: ([v] if k in ("status", "level", "channel") and not isinstance(v, list) else v)
            for k, v in data.items()
        }
    params = ExportInput(data=data)
    params.is_valid(raise_exception=True)
    out = {}
    for name, value in params.validated_data.items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value if isinstance(value, list) else str(value)
    return out


class ExportListApi(APIView):
    """Start an Excel export of the filtered order list (no row cap); poll its status. For managers,
    supervisors and administrators; the rows are the caller's own scope."""

    permission_classes = [CanExport]

    @extend_schema(request=ExportInput, responses={202: ExportSerializer}, tags=["exports"])
    def post(self, request):
        job = export_start(user=request.user, filters=_filters_from(request.data))
        return Response(ExportSerializer(job, context={"request": request}).data, status=202)

    @extend_schema(responses=ExportSerializer(many=True), tags=["exports"])
    def get(self, request):
        jobs = exports_visible_to(request.user).filter(user=request.user)[:20]
        return Response(ExportSerializer(jobs, many=True, context={"request": request}).data)


class ExportDetailApi(APIView):
    permission_classes = [CanExport]

    @extend_schema(responses=ExportSerializer, tags=["exports"])
    def get(self, request, pk):
        job = exports_visible_to(request.user).filter(pk=pk).first()
        if job is None:
            raise DomainError(_("Export not found."), code="not_found")
        return Response(ExportSerializer(job, context={"request": request}).data)


class ExportDownloadApi(APIView):
    """The export's workbook: for its owner (or an administrator); a download, never cached."""

    permission_classes = [CanExport]

    @extend_schema(
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes},
        tags=["exports"],
    )
    def get(self, request, pk):
        job = exports_visible_to(request.user).filter(pk=pk, status=ExportJob.State.DONE).first()
        if job is None or not job.file:
            raise DomainError(_("Export not found or not finished."), code="not_found")
        return protected_file_response(job.file)
