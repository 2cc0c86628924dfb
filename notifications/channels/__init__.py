"""Notification channels, one module each, registered in ``registry``.

``inbox`` (in-app, written in the transaction), ``email``, ``sms`` and ``webhook`` (sent from the
outbox by workers). Adding a channel: a module here that calls ``registry.register(...)``, its
import below, and its settings in config/settings.py. Rules, templates, preferences and the outbox
take their choices from the registry, so no migration follows.
"""

from . import email, inbox, sms, webhook  # noqa: F401 - importing a channel module registers it
from .email import send_email
from .httppool import http_post
from .registry import (
    ChannelSpec,
    all_channels,
    channel_choices,
    get,
    preference_channel_choices,
    recipient_channels,
    register,
    rule_channel_choices,
    sender,
    unregister,
    validate_rule_channels,
)

# The names of the former single module: SMS_BACKEND values (notifications.channels.HttpSmsBackend)
# and callers of the helpers keep working.
from .sms import BaseSmsBackend, ConsoleSmsBackend, FileSmsBackend, HttpSmsBackend, SmsError, send_sms
from .webhook import dingtalk_signed_url, generic_signature, send_webhooks, webhook_request

__all__ = [
    "BaseSmsBackend",
    "ChannelSpec",
    "ConsoleSmsBackend",
    "FileSmsBackend",
    "HttpSmsBackend",
    "SmsError",
    "all_channels",
    "channel_choices",
    "dingtalk_signed_url",
    "generic_signature",
    "get",
    "http_post",
    "preference_channel_choices",
    "recipient_channels",
    "register",
    "rule_channel_choices",
    "send_email",
    "send_sms",
    "send_webhooks",
    "sender",
    "unregister",
    "validate_rule_channels",
    "webhook_request",
]
