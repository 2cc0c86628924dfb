from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from .defaults import sync_defaults


def sync_defaults_after_migrate(sender=None, using="default", apps=global_apps, plan=None, **kwargs) -> None:
    """post_migrate: create the default rules and templates that are missing (a fresh database has
    them after ``migrate``, like the role groups of accounts)."""
    if plan is None:
        # Sent by `flush` (tests emptying the database), not by `migrate`: leave the tables empty, or
        # a test restoring its serialized snapshot would meet duplicate rows.
        return
    try:
        rule = apps.get_model("notifications", "NotificationRule")
        template = apps.get_model("notifications", "NotificationTemplate")
    except LookupError:  # migrated back to zero
        return
    if "channels" not in {f.name for f in rule._meta.get_fields()}:
        return  # migrated back before the channel lists (0003): the defaults of that time are moot
    sync_defaults(rule, template, using=using)


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from .models import NotificationTemplate  # noqa: PLC0415 - models load once the registry is ready
        from .rendering import clear_cache  # noqa: PLC0415 - imports models, as above

        post_save.connect(clear_cache, sender=NotificationTemplate, dispatch_uid="notify_tpl_save")
        post_delete.connect(clear_cache, sender=NotificationTemplate, dispatch_uid="notify_tpl_delete")
        post_migrate.connect(sync_defaults_after_migrate, sender=self, dispatch_uid="notify_sync_defaults")
