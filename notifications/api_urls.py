from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("webhooks", api.WebhookSubscriptionViewSet, basename="api-webhook")

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/unread-count/", api.UnreadCountApi.as_view(), name="api-notifications-unread"),
    path("notifications/read/", api.NotificationReadManyApi.as_view(), name="api-notifications-read"),
    path("notifications/preferences/", api.PreferencesApi.as_view(), name="api-notification-preferences"),
    path("notifications/<int:pk>/read/", api.NotificationReadApi.as_view(), name="api-notification-read"),
] + router.urls
