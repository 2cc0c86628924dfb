from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and departments")

    def ready(self):
        from .roles import sync_role_groups  # noqa: PLC0415 (roles imports the auth models: needs the app registry)

        # Runs after every migrate, so new permissions of later apps reach the role groups.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")

        from .signals import revoke_api_tokens_on_logout  # noqa: PLC0415 (imports the models)

        user_logged_out.connect(revoke_api_tokens_on_logout, dispatch_uid="accounts.revoke_api_tokens")
