"""The Open311 GeoReport v2 endpoints (see the package docstring for the list).

Every endpoint answers JSON or XML by its suffix, in Chinese unless the ``locale`` parameter or the
``Accept-Language`` header asks for English; errors are the spec's list of ``{code, description}``
with the same HTTP status. No session, no CSRF token (a key authenticates, never a cookie), and
each answer is throttled (``open311`` in ``settings.THROTTLE_RATES``: per client, or per address
without a key) and logged in ``complaints.PublicRequest`` (kind ``open311``).
"""

import base64
import binascii
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Open311Client
from complaints.models import PublicRequest
from config.cache import resilient_cache
from workorders.models import Status

from . import xml
from .selectors import (
    DEFAULT_WINDOW_DAYS,
    MAX_REQUESTS,
    request_representation,
    requests_of,
    service_leaf,
    service_leaves,
    service_representation,
)
from .services import Refusal, open311_request_create

STATUSES = {"open", "closed"}


# --- language, key, throttle ----------------------------------------------------------------------


def _supported(code: str) -> str | None:
    try:
        return translation.get_supported_language_variant(code.strip().replace("_", "-").lower())
    except LookupError:
        return None


def chosen_language(request) -> str:
    """``locale`` (``en``, ``en_US``, ``zh_CN``…), else the first supported language of
    ``Accept-Language``, else the centre's (Chinese)."""
    asked = request.GET.get("locale") or (request.POST.get("locale") if request.method == "POST" else "")
    if asked and (language := _supported(asked)):
        return language
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header[:200]):
        if code != "*" and (language := _supported(code)):
            return language
    return settings.LANGUAGE_CODE


def offered_keys(request) -> list[str]:
    """The keys a request offers: the spec's ``api_key`` parameter (query string or form), or the
    password (or user name) of HTTP Basic authentication, for clients that cannot add a parameter."""
    keys = [request.GET.get("api_key", "")]
    if request.method == "POST":
        keys.append(request.POST.get("api_key", ""))
    scheme, _space, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "basic" and credentials:
        try:
            user, _colon, password = base64.b64decode(credentials.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
        keys += [user, password]
    return [key.strip() for key in keys if key and key.strip()]


def authenticate(request) -> Open311Client:
    """The active client whose key the request offers; ``Refusal`` 403 without one."""
    keys = offered_keys(request)
    for key in keys[:4]:
        client = Open311Client.for_key(key)
        if client is not None:
            return client
    if keys:
        raise Refusal(403, _("The API key is not valid."), outcome="forbidden")
    raise Refusal(403, _("An api_key is required."), outcome="forbidden")


class Open311Throttle(SimpleRateThrottle):
    """The ``open311`` limit, counted per client (or per address before a client is known)."""

    scope = "open311"
    cache = resilient_cache

    def __init__(self, client: Open311Client | None):
        self.client = client
        super().__init__()

    def get_rate(self):
        return getattr(settings, "THROTTLE_RATES", {}).get(self.scope)

    def get_cache_key(self, request, view):
        ident = f"client-{self.client.pk}" if self.client is not None else f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttle(request, client: Open311Client | None) -> None:
    limit = Open311Throttle(client)
    if not limit.allow_request(request, None):
        seconds = max(1, round(limit.wait() or 1))
        refusal = Refusal(
            429, _("Too many requests: try again in %(seconds)d seconds.") % {"seconds": seconds}, "throttled"
        )
        refusal.retry_after = seconds
        raise refusal


# --- answers -------------------------------------------------------------------------------------


@dataclass
class Answer:
    """What an endpoint answers (rendered as JSON or XML) and what the log records of it."""

    items: object
    root: str = "service_requests"
    item: str | None = "request"
    status: int = 200
    outcome: str = "ok"
    tracking_no: str = ""
    order: object = None
    detail: dict = field(default_factory=dict)


def render(answer: Answer, fmt: str) -> HttpResponse:
    if fmt == "xml":
        body = xml.document(answer.root, answer.item, answer.items)
        return HttpResponse(body, status=answer.status, content_type="application/xml; charset=utf-8")
    return JsonResponse(
        answer.items,
        status=answer.status,
        safe=False,
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )


def refusal_answer(refusal: Refusal) -> Answer:
    return Answer(
        [{"code": refusal.status, "description": refusal.description}],
        root="errors",
        item="error",
        status=refusal.status,
        outcome=refusal.outcome,
    )


def _ip(request) -> str | None:
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def log(request, endpoint: str, fmt: str, client, answer: Answer) -> None:
    PublicRequest.objects.create(
        kind=PublicRequest.Kind.OPEN311,
        outcome=answer.outcome[:24],
        ip=_ip(request),
        tracking_no=(answer.tracking_no or "")[:32],
        order=answer.order,
        detail={
            "endpoint": endpoint,
            "method": request.method,
            "format": fmt,
            "status": answer.status,
            "client": client.pk if client is not None else None,
            **answer.detail,
        },
    )


def endpoint(name: str, *, methods=("GET",), needs_key=True):
    """Wrap an Open311 view ``view(request, client, **kwargs) -> Answer``: method check, language,
    key, throttle, the error format, the rendering in ``fmt`` and the log."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def handle(request, fmt, **kwargs):
            language = chosen_language(request)
            client = None
            with translation.override(language):
                try:
                    if request.method not in methods:
                        raise Refusal(
                            405,
                            _("Method %(method)s is not allowed here.") % {"method": request.method[:10]},
                            "method",
                        )
                    if needs_key:
                        try:
                            client = authenticate(request)
                        except Refusal:
                            throttle(request, None)  # wrong keys count against the address
                            raise
                    throttle(request, client)
                    answer = view(request, client, **kwargs)
                except Refusal as refusal:
                    answer = refusal_answer(refusal)
                    retry_after = getattr(refusal, "retry_after", None)
                else:
                    retry_after = None
                response = render(answer, fmt)
            response["Content-Language"] = language
            if retry_after:
                response["Retry-After"] = str(retry_after)
            if answer.status == 405:
                response["Allow"] = ", ".join(methods)
            log(request, name, fmt, client, answer)
            return response

        return handle

    return decorate


# --- services ------------------------------------------------------------------------------------


@endpoint("services", needs_key=False)
def services(request, client):
    """``GET services.{fmt}``: the category leaves as services; no key needed."""
    items = [service_representation(leaf) for leaf in service_leaves()]
    return Answer(items, root="services", item="service", outcome="services", detail={"count": len(items)})


@endpoint("service_definition", needs_key=False)
def service_definition(request, client, code):
    """``GET services/{code}.{fmt}``: no service has metadata, so a definition lists no attributes."""
    leaf = service_leaf(code)
    if leaf is None:
        raise Refusal(404, _("No such service."), outcome="not_found")
    return Answer(
        {"service_code": leaf.code, "attributes": []},
        root="service_definition",
        item=None,
        outcome="service_definition",
    )


# --- requests ------------------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _when(params, name: str, *, end: bool) -> datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a "+" of the offset unescaped in a query
        if value is None and (day := parse_date(raw)) is not None:
            value = datetime.combine(day, time.max if end else time.min)
    except ValueError:
        value = None
    if value is None:
        raise Refusal(
            400, _("%(name)s must be a W3C date and time, e.g. 2026-01-01T00:00:00+08:00.") % {"name": name}
        )
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def list_requests(request, client) -> Answer:
    """``GET requests.{fmt}``: the client's requests (selectors.requests_of). ``service_request_id``
    (comma separated) overrides every other filter; else ``service_code`` (comma separated),
    ``status`` (open, closed) and ``start_date``/``end_date`` (W3C) over at most 90 days, by default
    the last 90 days; newest first, at most 1000."""
    params = request.GET
    orders = requests_of(client)
    ids = _split(params.get("service_request_id"))
    if ids:
        if len(ids) > MAX_REQUESTS:
            raise Refusal(400, _("At most %(max)d service_request_id at once.") % {"max": MAX_REQUESTS})
        orders = orders.filter(tracking_no__in=ids)
    else:
        statuses = {part.lower() for part in _split(params.get("status"))}
        if statuses - STATUSES:
            raise Refusal(400, _("status must be open or closed (or both, comma separated)."))
        start, end = _when(params, "start_date", end=False), _when(params, "end_date", end=True)
        window = timedelta(days=DEFAULT_WINDOW_DAYS)
        if end is None:
            end = start + window if start is not None else timezone.now()
        if start is None:
            start = end - window
        if start > end:
            raise Refusal(400, _("start_date is after end_date."))
        if end - start > window:
            raise Refusal(
                400, _("The dates may not span more than %(days)d days.") % {"days": DEFAULT_WINDOW_DAYS}
            )
        orders = orders.filter(received_at__gte=start, received_at__lte=end)
        if codes := _split(params.get("service_code")):
            orders = orders.filter(category__code__in=codes)
        if statuses == {"open"}:
            orders = orders.exclude(status=Status.CLOSED)
        elif statuses == {"closed"}:
            orders = orders.filter(status=Status.CLOSED)
    found = list(orders.order_by("-received_at", "-id")[:MAX_REQUESTS])
    return Answer(
        [request_representation(order) for order in found], outcome="listed", detail={"count": len(found)}
    )


def create_request(request, client) -> Answer:
    """``POST requests.{fmt}``: file a complaint (services.open311_request_create)."""
    answer = open311_request_create(
        client=client, params=request.POST, idempotency_header=request.headers.get("Idempotency-Key", "")
    )
    tracking_no = answer.body[0]["service_request_id"]
    return Answer(
        answer.body,
        status=answer.status,
        outcome="replayed" if answer.replayed else "created",
        tracking_no=tracking_no,
        order=requests_of(client).filter(tracking_no=tracking_no).first(),
    )


@endpoint("requests", methods=("GET", "POST"))
def service_requests(request, client):
    """``GET requests.{fmt}`` (list) and ``POST requests.{fmt}`` (file a complaint); a key either way."""
    return create_request(request, client) if request.method == "POST" else list_requests(request, client)


@endpoint("request")
def service_request(request, client, service_request_id):
    """``GET requests/{id}.{fmt}``: one of the client's requests; another's answers as a missing one."""
    order = requests_of(client).filter(tracking_no=service_request_id).first()
    if order is None:
        raise Refusal(404, _("No such service request."), outcome="not_found")
    return Answer(
        [request_representation(order)], outcome="found", tracking_no=order.tracking_no, order=order
    )


@endpoint("not_found", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), needs_key=False)
def not_found(request, client, path=""):
    """Anything else under ``/open311/v2/`` (``tokens/…`` included: every POST answers its id at
    once, so there are no tokens): the spec's 404."""
    raise Refusal(404, _("Not found."), outcome="not_found")
