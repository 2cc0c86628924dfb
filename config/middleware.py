"""Request plumbing that is not an app's business."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class PagesSpeakChineseMiddleware:
    """Pages are in Simplified Chinese unless the user chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
    browser on an agent's desk would get English pages; the call center's language is Chinese.
    The choice made in the language switcher (the language cookie) still wins, and API clients
    keep Accept-Language (the API and Open311) so that integrations can ask for English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(("/api/", "/open311/")):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


NUL_MARKERS = (b"\x00", b"\\u0000")


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


class RejectNulMiddleware:
    """A NUL character in a query parameter, a form field or a JSON body is refused with 400.

    PostgreSQL cannot store or compare text with NUL (the driver raises, which was a 500), and no
    field of this system has a use for it. Uploaded files are not looked at: only form fields.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            has_nul = self._has_nul(request)
        except RequestDataTooBig:
            return too_large(request)
        except TooManyFieldsSent:
            return refusal(request, 400, "invalid", _("Too many fields in one request."))
        if has_nul:
            return refusal(
                request,
                400,
                "invalid",
                _("Text may not contain NUL characters (\\0); remove them and send again."),
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or _has_nul(request.GET):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        try:
            if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                return _has_nul(request.POST)
            if content_type.endswith("json"):
                body = request.body
                return any(marker in body for marker in NUL_MARKERS)
        except RequestDataTooBig:
            raise  # answered 413 by __call__
        return False


def refusal(request, status: int, code: str, detail: str):
    """The error answer for a request refused before any view ran: JSON ``{"detail", "code"}``
    for the API, a short page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(detail), "code": code}, status=status)
    return HttpResponse(str(detail), status=status, content_type="text/plain; charset=utf-8")


def too_large(request):
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
    detail = _("The request is too large (more than %(mb).1f MB of data besides files).") % {"mb": limit_mb}
    return refusal(request, 413, "request_too_large", detail)


class NoStoreMiddleware:
    """Nothing a signed-in user sees is kept by a browser or a proxy: pages and API answers carry
    personal data (names, phones, addresses, complaint texts), so a shared desk's back button or
    disk cache must not show them to the next person. Static files never reach this (WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response
