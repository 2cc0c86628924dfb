"""Rendering notification texts from the database templates, never losing a notification.

Lookup for (event type, channel, language): the channel's template in the language, then in
English, then the in-app template in the language, then in English. A missing or broken template
gives a safe built-in text (and the error is logged), so the notification still goes out.

Texts are plain text, rendered with autoescaping off: SMS, e-mail and webhook bodies carry the
characters the user typed (``A&B <x>``), and the inbox page escapes them once when it shows them.
"""

import logging
import re
import threading
import time
from functools import lru_cache

from django.template import Context, Engine
from django.utils import translation

from .events import EVENT_TYPES
from .models import NotificationTemplate

logger = logging.getLogger(__name__)

_engine = Engine(autoescape=False, libraries={}, builtins=["django.templatetags.i18n"])
_cache: dict = {"at": 0.0, "templates": None}
_lock = threading.Lock()
CACHE_SECONDS = 30


def clear_cache(**kwargs) -> None:
    _cache["templates"] = None


def _templates() -> dict:
    now = time.monotonic()
    with _lock:
        if _cache["templates"] is None or now - _cache["at"] > CACHE_SECONDS:
            compiled = {}
            for t in NotificationTemplate.objects.all():
                compiled[(t.event_type, t.channel, t.language)] = (t.pk, t.subject, t.body)
            _cache["templates"], _cache["at"] = compiled, now
        return _cache["templates"]


def _fallback(event_type: str, order, language: str) -> tuple[str, str]:
    with translation.override(language):
        label = str(EVENT_TYPES.get(event_type, event_type))
    number = getattr(order, "tracking_no", None) or f"#{getattr(order, 'pk', '')}"
    return f"[{number}] {label}", f"{label}: {number}"


@lru_cache(maxsize=1024)
def _compile(source: str):
    return _engine.from_string(source)


# A typed text ending in its own full stop, set before the template's ("原因：{{ reason }}。" with
# "措施不具体。"), would read "。。". A comma before a stop gives way to it ("，。" → "。"), a stop keeps
# whatever follows it out ("！。" → "！"), a repeated comma, colon or semicolon is one.
_TIDY = (
    (re.compile(r"[，、；：]+([。！？])"), r"\1"),
    (re.compile(r"([。！？])[。，、；！？]+"), r"\1"),
    (re.compile(r"([，、；：])\1+"), r"\1"),
)


def tidy_punctuation(text: str) -> str:
    """No doubled Chinese punctuation in a rendered text (issue 14): "。。" and "，。" become "。",
    "：：" becomes "："."""
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    return text


def _find(event_type: str, channel: str, language: str) -> tuple | None:
    """(pk, subject, body) of the template the lookup order finds, or None."""
    templates = _templates()
    for key in (
        (event_type, channel, language),
        (event_type, channel, "en"),
        (event_type, "inapp", language),
        (event_type, "inapp", "en"),
    ):
        if key in templates:
            return templates[key]
    return None


def personal(event_type: str, channel: str, language: str) -> bool:
    """Whether the text may differ from one recipient to another (the template names the
    ``recipient``): otherwise one rendering serves every recipient of a message in that language."""
    found = _find(event_type, channel, language)
    return found is not None and any("recipient" in text for text in found[1:])


def render(event_type: str, channel: str, language: str, context: dict) -> tuple[str, str]:
    """(subject, body) for the event, channel and language; never raises."""
    order = context.get("order")
    found = _find(event_type, channel, language)
    if found is None:
        logger.warning(
            "No notification template for %s/%s/%s; using the fallback text", event_type, channel, language
        )
        return _fallback(event_type, order, language)
    pk, subject, body = found
    try:
        with translation.override(language):
            # Context() escapes by default whatever the engine says: plain text needs it off here.
            ctx = Context(context, autoescape=False)
            subject_text = " ".join(_compile(subject).render(ctx).split()) if subject else ""
            subject_text = tidy_punctuation(subject_text)
            body_text = tidy_punctuation(_compile(body).render(ctx).strip())
    except Exception:
        logger.exception(
            "Notification template %s (%s/%s/%s) failed; using the fallback text",
            pk,
            event_type,
            channel,
            language,
        )
        return _fallback(event_type, order, language)
    if not subject_text:
        subject_text = _fallback(event_type, order, language)[0]
    return subject_text[:255], body_text or _fallback(event_type, order, language)[1]
