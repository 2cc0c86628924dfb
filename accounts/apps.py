from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and departments")

    def ready(self):
        from .roles import sync_role_groups  # noqa: PLC0415 (roles imports the auth models: needs the app registry)

        # Runs after every migrate, so new permissions of later apps reach the role groups.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
