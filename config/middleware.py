"""Request plumbing that is not an app's business."""


class PagesSpeakChineseMiddleware:
    """Pages are in Simplified Chinese unless the user chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
    browser on an agent's desk would get English pages; the call center's language is Chinese.
    The choice made in the language switcher (the language cookie) still wins, and API clients
    keep Accept-Language so that integrations can ask for English error messages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
