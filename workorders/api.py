"""REST endpoints for work orders: list, detail, timeline, and one POST per lifecycle action."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError
from config.protected_media import protected_file_response

from .filters import WorkOrderFilter
from .lifecycle import ACTIONS, perform
from .models import WorkOrderEvent
from .selectors import attachment_get, workorder_events, workorder_get, workorder_list, workorders_visible_to
from .serializers import WorkOrderDetailSerializer, WorkOrderEventSerializer, WorkOrderSerializer


class WorkOrderCursorPagination(CursorPagination):
    page_size = 20
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-received_at", "-id")


class WorkOrderListApi(generics.ListAPIView):
    """Work orders in the caller's scope, newest first, with filters and cursor pagination."""

    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilter
    pagination_class = WorkOrderCursorPagination

    def get_queryset(self):
        return workorder_list(self.request.user)


class WorkOrderDetailApi(APIView):
    @extend_schema(responses=WorkOrderDetailSerializer)
    def get(self, request, pk):
        order = workorder_get(request.user, pk)
        if order is None:
            raise DomainError(_("Work order not found."), code="not_found")
        return Response(WorkOrderDetailSerializer(order, context={"request": request}).data)


class WorkOrderEventsApi(generics.ListAPIView):
    """The order's timeline: every action, oldest first."""

    serializer_class = WorkOrderEventSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkOrderEvent.objects.none()
        order = get_object_or_404(workorders_visible_to(self.request.user), pk=self.kwargs["pk"])
        return workorder_events(order)


class AttachmentDownloadApi(APIView):
    """An attachment's file, for a user who may see its order (else 404). A download, never cached."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, tags=["workorders"])
    def get(self, request, pk):
        attachment = attachment_get(request.user, pk)
        if attachment is None:
            raise DomainError(_("Attachment not found."), code="not_found")
        return protected_file_response(attachment.file, filename=attachment.original_name)


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


def action_view(code):
    """One APIView per action, so each has its own documented body in the OpenAPI schema."""
    action = ACTIONS[code]
    body = inline_serializer(
        name=f"{''.join(p.title() for p in code.split('_'))}ActionInput",
        fields={"version": serializers.IntegerField(), **action.input().get_fields()},
    )

    class ActionApi(APIView):
        parser_classes = [JSONParser, FormParser, MultiPartParser]

        @extend_schema(
            request=body,
            responses=WorkOrderDetailSerializer,
            operation_id=f"workorders_{code}",
            summary=str(action.label),
            tags=["workorder actions"],
            parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        )
        def post(self, request, pk):
            version = VersionInput(data=request.data)
            version.is_valid(raise_exception=True)
            data = request.data.dict() if hasattr(request.data, "dict") else dict(request.data)
            data.update(request.FILES.dict() if request.FILES else {})
            perform(pk, code, actor=request.user, version=version.validated_data["version"], data=data)
            order = workorder_get(request.user, pk)
            return Response(WorkOrderDetailSerializer(order, context={"request": request}).data)

    ActionApi.__name__ = ActionApi.__qualname__ = f"WorkOrder{code.title().replace('_', '')}Api"
    ActionApi.__doc__ = (
        f"{action.label}: from {', '.join(action.sources)}; roles: {', '.join(sorted(action.roles))}."
    )
    return ActionApi.as_view()
