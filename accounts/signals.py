"""Signal receivers of accounts (connected in ``AccountsConfig.ready``)."""

from .services import api_tokens_revoke


def revoke_api_tokens_on_logout(sender, request, user, **kwargs) -> None:
    """A page logout (Django's ``user_logged_out``) ends the user's API tokens too."""
    if user is not None and user.is_authenticated:
        api_tokens_revoke(user=user)
