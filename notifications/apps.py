from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import NotificationTemplate
        from .rendering import clear_cache

        post_save.connect(clear_cache, sender=NotificationTemplate, dispatch_uid="notify_tpl_save")
        post_delete.connect(clear_cache, sender=NotificationTemplate, dispatch_uid="notify_tpl_delete")
