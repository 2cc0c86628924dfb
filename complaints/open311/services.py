"""Open311 writes: a city platform files a complaint (``POST requests``).

The request goes through the intake API's own validation (``complaints.serializers.ComplaintInput``)
and the same intake service as staff intake (``complaint_register``: the customer found or created,
repeat detection, the order opened and submitted for classification), as the client's service
account, with the client's channel (``gov_12345`` or ``other``).

How the spec's fields map to ours:

- ``service_code`` → the category (a leaf of the tree; anything else is refused).
- ``description`` → the complaint's content (required). The spec has no field for the customer's
  demand: an extension parameter ``demand`` carries it when the platform has one, otherwise a
  standard phrase ("please look into it and reply to the customer", in the centre's language).
- ``address_string`` → the address; ``lat``/``long`` are appended in brackets ("(30.27, 120.15)")
  or, alone, are the address. ``address_id`` (a jurisdiction's own address ids) is not supported.
- ``first_name``/``last_name`` → the complainant (surname first when the name is Chinese).
- ``phone`` → the contact phone (required: the centre calls the customer back).
- ``email``, ``device_id``: not stored (the centre reaches customers by phone and SMS).
- ``account_id`` (the customer's account on the platform): echoed in the answer, not stored.
- Extensions: ``account_no`` (the 10-digit electricity account, 户号) and ``external_ref`` (the
  platform's own case number, 外部单号, at most 40 characters).

**Idempotent.** A retried POST must not file the complaint twice: with an ``Idempotency-Key``
header, or else an ``external_ref``, the first answer is stored (per client) and a retry gets it
back; the same key with a different body is refused (422). Without either, each POST files one.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints.serializers import ComplaintInput
from config.errors import DomainError, first_message, http_status
from workorders.intake.services import IdempotentAnswer, complaint_register, idempotency_run

from .selectors import service_leaf

# Our intake field → the Open311 parameter it comes from (error messages name the latter).
PARAMETER_OF = {
    "content": "description",
    "category": "service_code",
    "address": "address_string",
    "customer_name": "first_name",
    "phone": "phone",
    "account_no": "account_no",
    "demand": "demand",
    "external_ref": "external_ref",
    "channel": "api_key",
}
DEFAULT_DEMAND = gettext_noop("Please look into it and reply to the customer.")
CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class Refusal(Exception):
    """An answer in the spec's error format: ``[{"code": status, "description": …}]``."""

    status: int
    description: str
    outcome: str = "invalid"


def _name(first: str, last: str) -> str:
    first, last = first.strip(), last.strip()
    if CJK.search(first + last):
        return last + first  # 张 + 三 → 张三
    return " ".join(part for part in (first, last) if part)


def _coordinate(params, name: str, limit: float) -> float | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not -limit <= value <= limit:
        raise Refusal(
            400,
            _("%(name)s must be a number between -%(limit)d and %(limit)d.") % {"name": name, "limit": limit},
        )
    return value


def _address(params) -> str:
    address = (params.get("address_string") or "").strip()
    lat, long = _coordinate(params, "lat", 90), _coordinate(params, "long", 180)
    if (lat is None) != (long is None):
        raise Refusal(400, _("Send both lat and long, or neither."))
    coordinates = f"({lat:g}, {long:g})" if lat is not None else ""
    if not address and not coordinates:
        if (params.get("address_id") or "").strip():
            raise Refusal(400, _("address_id is not supported here: send address_string, or lat and long."))
        raise Refusal(400, _("A location is required: address_string, or lat and long."))
    return f"{address} {coordinates}".strip()


def complaint_fields(*, client, params) -> dict:
    """The intake fields of an Open311 POST, validated as the intake API validates its body;
    ``Refusal`` (400) names the Open311 parameter at fault."""
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Refusal(400, _("service_code is required."))
    leaf = service_leaf(code)
    if leaf is None:
        raise Refusal(
            400, _("service_code %(code)s is not a service of this jurisdiction.") % {"code": code[:20]}
        )
    demand = (params.get("demand") or "").strip()
    if not demand:
        with translation.override(settings.LANGUAGE_CODE):  # stored for the centre's staff
            demand = _(DEFAULT_DEMAND)
    data = {
        "channel": client.channel,
        "customer_name": _name(params.get("first_name") or "", params.get("last_name") or ""),
        "phone": params.get("phone") or "",
        "account_no": params.get("account_no") or "",
        "address": _address(params),
        "content": params.get("description") or "",
        "demand": demand,
        "category": leaf.pk,
        "external_ref": (params.get("external_ref") or "").strip(),
    }
    serializer = ComplaintInput(data=data, context={})
    if not serializer.is_valid():
        problems = [
            f"{PARAMETER_OF.get(field, field)}: {first_message({field: messages})}"
            for field, messages in serializer.errors.items()
        ]
        raise Refusal(400, " ".join(problems))
    fields = dict(serializer.validated_data)
    fields.pop("related_to", None)
    fields["draft"] = False
    return fields


def idempotency_key(*, header: str, params) -> str:
    """The key of a retried POST: the ``Idempotency-Key`` header, else the platform's case number."""
    if header.strip():
        return f"open311:{header.strip()}"
    ref = (params.get("external_ref") or "").strip()
    return f"open311-ref:{ref}" if ref else ""


def open311_request_create(*, client, params, idempotency_header: str = "") -> IdempotentAnswer:
    """File the complaint of an Open311 POST as ``client`` (see the module docstring); the answer's
    body is the spec's ``[{service_request_id, service_notice, account_id}]``."""
    fields = complaint_fields(client=client, params=params)
    account_id = (params.get("account_id") or "").strip()[:100] or None

    def produce():
        complaint = complaint_register(actor=client.user, **fields)
        notice = _(
            "Registered as complaint %(no)s; the 95598 centre handles it and replies to the customer."
        ) % {"no": complaint.tracking_no}
        return 201, [
            {"service_request_id": complaint.tracking_no, "service_notice": notice, "account_id": account_id}
        ]

    digest_of = {key: params.get(key) for key in sorted(params.keys()) if key != "api_key"}
    try:
        return idempotency_run(
            user=client.user,
            key=idempotency_key(header=idempotency_header, params=params),
            data=digest_of,
            produce=produce,
        )
    except DomainError as error:
        status = http_status(error.code)
        if error.fields:
            description = " ".join(
                f"{PARAMETER_OF.get(field, field)}: {first_message({field: messages})}"
                for field, messages in error.fields.items()
            )
        else:
            description = str(error.message)
        raise Refusal(status if status < 500 else 400, description, outcome=error.code[:24]) from error
