"""The in-app inbox: a ``Notification`` row per recipient, written in the transition's transaction
(``services``), so it has no sender. Always on for a rule that names it: not user-switchable."""

from django.utils.translation import gettext_lazy as _

from . import registry

INBOX = "inapp"

registry.register(registry.ChannelSpec(code=INBOX, label=_("In-app inbox"), order=10))
