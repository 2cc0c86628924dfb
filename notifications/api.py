"""REST: the caller's inbox and preferences; webhook subscriptions for administrators."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role

from . import services
from .models import Notification, WebhookSubscription
from .selectors import inbox_for, unread_count
from .serializers import (
    MarkReadInput,
    NotificationSerializer,
    SettingsSerializer,
    WebhookSubscriptionSerializer,
)


class IsAdministrator(permissions.BasePermission):
    message = _("Only administrators may manage webhooks.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_role(Role.ADMIN))


class InboxPagination(CursorPagination):
    page_size = 30
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")


class NotificationListApi(generics.ListAPIView):
    """My notifications, newest first; ``?unread=1`` for the unread ones only."""

    serializer_class = NotificationSerializer
    pagination_class = InboxPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = inbox_for(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = unread_count(request.user)
        return response


class UnreadCountApi(APIView):
    @extend_schema(responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    def get(self, request):
        return Response({"unread": unread_count(request.user)})


class NotificationReadApi(APIView):
    """Mark one of my notifications read."""

    @extend_schema(request=None, responses=NotificationSerializer, operation_id="notification_mark_read")
    def post(self, request, pk):
        notification = get_object_or_404(inbox_for(request.user), pk=pk)
        services.notification_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)


class NotificationReadManyApi(APIView):
    """Mark the given notifications read (all unread ones without ``ids``)."""

    @extend_schema(
        request=MarkReadInput,
        operation_id="notifications_mark_read",
        responses=inline_serializer(
            "MarkedRead", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}
        ),
    )
    def post(self, request):
        data = MarkReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notification_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked, "unread": unread_count(request.user)})


class PreferencesApi(APIView):
    """My quiet hours, language and per-event channel choices."""

    @extend_schema(responses=SettingsSerializer)
    def get(self, request):
        return Response(services.preferences_get(user=request.user))

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def put(self, request):
        data = SettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_set(user=request.user, **data.validated_data)
        return Response(services.preferences_get(user=request.user))


class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    """Webhook subscriptions (administrators only)."""

    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [IsAdministrator]
    queryset = WebhookSubscription.objects.order_by("id")
