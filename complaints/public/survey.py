"""The customer's satisfaction survey by SMS (issue 15, item 3): ``/survey/<token>/``.

When a reply is approved, an order of a level in ``settings.SURVEY_SMS_LEVELS`` gets a one-time
link by SMS (``notifications.customer``: a ``SurveyLink`` row and a token signed with
``django.core.signing`` naming it). The page asks 满意 / 基本满意 / 不满意, with a reason when
unsatisfied (the callback action's dissatisfaction reasons) and a comment.

The answer is recorded through the lifecycle, by the system on the customer's behalf:

- usually as the order's **callback**: ``perform(order, "callback", actor=None, via="sms_survey")``.
  The event's actor is null (the system) and its payload says ``channel: sms_survey``,
  ``source: customer_survey``; every callback rule holds (satisfied closes, unsatisfied reopens or
  goes to a supervisor, §8.3).
- for a level in ``settings.SURVEY_PHONE_CALLBACK_LEVELS`` (特殊/重大 by default) the agent's phone
  callback stays required: the answer is recorded as a ``survey_answered`` event on the order (same
  payload, no change of state, version or satisfaction) for the agent to see before calling, and
  the order stays in callback.

A link is good once, while its order waits for the callback of the approval it was sent for, and
until the order's callback deadline (read when the link is opened; without one, ``created_at`` +
``SURVEY_LINK_HOURS``, default 72). A used, expired, tampered or unknown link answers one clear
page: 404 for a token that names no link, 410 for one that is used or no longer valid. Every answer
of the page is logged in ``PublicRequest`` (kind ``survey``); the page is throttled per address
(``THROTTLE_RATES["public_survey"]``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from complaints.models import PublicRequest
from complaints.public.throttling import PublicLimit, client_ip
from config.errors import DomainError
from notifications.customer import phone_callback_required, survey_link_for_token
from notifications.models import SurveyLink
from workorders.lifecycle import perform, record_system_event
from workorders.models import Deadline, DissatisfactionReason, Satisfaction, Stage, Status, WorkOrder

logger = logging.getLogger(__name__)

VIA = "sms_survey"
SOURCE = "customer_survey"
SURVEY_EVENT = "survey_answered"  # the answer kept beside a phone callback that stays required
DEFAULT_LINK_HOURS = 72

# The customer's words for the callback action's dissatisfaction reasons (same codes).
REASONS = [
    (DissatisfactionReason.PROCESS_NOT_DONE.value, _("My problem has not been solved")),
    (DissatisfactionReason.ATTITUDE.value, _("The staff's attitude")),
    (
        DissatisfactionReason.RESULT_NOT_ACCEPTED_POLICY.value,
        _("I do not accept the result given under policy"),
    ),
    (DissatisfactionReason.OTHER.value, _("Something else")),
]
CHOICES = [
    (Satisfaction.SATISFIED.value, _("Satisfied")),
    (Satisfaction.BASICALLY_SATISFIED.value, _("Basically satisfied")),
    (Satisfaction.UNSATISFIED.value, _("Unsatisfied")),
]
COMMENT_MAX = 500


# --- is the link good? ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a link cannot be answered: ``code`` (logged), the HTTP status and the page's words."""

    code: str
    status: int
    title: str
    text: str


INVALID = Refusal(
    "invalid",
    404,
    _("This survey link is not valid"),
    _("The link may be incomplete or mistyped. Please open it from the SMS again, or call 95598."),
)
USED = Refusal(
    "used",
    410,
    _("This survey has already been answered"),
    _("Thank you: your answer was recorded. Each link can be used once."),
)
EXPIRED = Refusal(
    "expired",
    410,
    _("This survey link has expired"),
    _("The time for answering this survey has passed. To tell us more, please call 95598."),
)
CLOSED = Refusal(
    "closed",
    410,
    _("This survey is no longer open"),
    _(
        "Your complaint has moved on since this link was sent (a callback was already made, or it "
        "is being handled again). To tell us more, please call 95598."
    ),
)


def link_expires_at(link: SurveyLink) -> datetime:
    """When the link stops working: the order's callback deadline for this approval (its due
    time), else ``SURVEY_LINK_HOURS`` after it was sent."""
    due = (
        Deadline.objects.filter(
            order_id=link.order_id, stage=Stage.CALLBACK, started_at__gte=link.approved_at
        )
        .order_by("-started_at", "-pk")
        .values_list("due_at", flat=True)
        .first()
    )
    if due is not None:
        return due
    return link.created_at + timedelta(hours=getattr(settings, "SURVEY_LINK_HOURS", DEFAULT_LINK_HOURS))


def link_refusal(link: SurveyLink | None, order: WorkOrder | None, now: datetime) -> Refusal | None:
    """None when the link may be answered now, else why not."""
    if link is None or order is None:
        return INVALID
    if link.used_at is not None:
        return USED
    if order.status != Status.CALLBACK or order.approved_at != link.approved_at:
        return CLOSED
    if now >= link_expires_at(link):
        return EXPIRED
    return None


# --- recording the answer ------------------------------------------------------------------------


class SurveyRefused(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(refusal.code)
        self.refusal = refusal


def survey_answer(
    *, link_id: int, satisfaction: str, reason: str = "", comment: str = "", now: datetime | None = None
) -> SurveyLink:
    """Record the customer's answer once: the order's callback (or, where the phone callback stays
    required, a ``survey_answered`` event). Raises ``SurveyRefused`` for a link that is used, no
    longer valid or unknown; nothing is written then."""
    now = now or timezone.now()
    reason = reason if satisfaction == Satisfaction.UNSATISFIED else ""
    with transaction.atomic():
        link = SurveyLink.objects.select_for_update().filter(pk=link_id).first()
        order = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("complaint")
            .filter(pk=link.order_id)
            .first()
            if link is not None
            else None
        )
        refusal = link_refusal(link, order, now)
        if refusal is not None:
            raise SurveyRefused(refusal)
        answer = {
            "channel": VIA,
            "source": SOURCE,
            "survey": link.pk,
            "satisfaction": satisfaction,
            "dissatisfaction_reason": reason,
            "comment": comment,
        }
        if phone_callback_required(order):
            record_system_event(
                order, SURVEY_EVENT, payload={**answer, "phone_callback_required": True}, now=now
            )
            link.recorded_as = SURVEY_EVENT
        else:
            data = {"reached": True, "satisfaction": satisfaction, "comment": comment}
            if reason:
                data["dissatisfaction_reason"] = reason
            try:
                perform(order.pk, "callback", actor=None, via=VIA, data=data, now=now)
            except DomainError as exc:  # e.g. the order waits for a supervisor's decision
                logger.info("Survey %s for order %s refused by the lifecycle: %s", link.pk, order.pk, exc)
                raise SurveyRefused(CLOSED) from exc
            link.recorded_as = "callback"
        link.used_at = now
        link.satisfaction, link.dissatisfaction_reason, link.comment = satisfaction, reason, comment
        link.save(
            update_fields=["used_at", "satisfaction", "dissatisfaction_reason", "comment", "recorded_as"]
        )
    return link


# --- the page ------------------------------------------------------------------------------------


class SurveyForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with how your complaint was handled?"),
        choices=CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose one answer.")},
    )
    reason = forms.ChoiceField(
        label=_("If unsatisfied: why?"),
        choices=[("", _("Choose a reason")), *REASONS],
        required=False,
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
    )

    def clean(self):
        data = super().clean()
        if data.get("satisfaction") == Satisfaction.UNSATISFIED and not data.get("reason"):
            self.add_error("reason", _("Please tell us why you are unsatisfied."))
        return data


def _log(request, outcome: str, link: SurveyLink | None = None, **detail) -> None:
    order = link.order if link is not None else None
    PublicRequest.objects.create(
        kind=PublicRequest.Kind.SURVEY,
        outcome=outcome,
        ip=client_ip(request),
        tracking_no=order.tracking_no if order is not None else "",
        order=order,
        detail={"method": request.method, **({"link": link.pk} if link is not None else {}), **detail},
    )


def _refused(request, refusal: Refusal, link: SurveyLink | None):
    _log(request, refusal.code, link)
    return render(request, "public/survey.html", {"refusal": refusal}, status=refusal.status)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def survey_page(request, token: str):
    seconds = PublicLimit("public_survey").check(client_ip(request) or "unknown")
    if seconds is not None:
        _log(request, "throttled")
        response = render(
            request, "public/survey.html", {"throttled": True, "retry_after": seconds}, status=429
        )
        response["Retry-After"] = str(seconds)
        return response
    link = survey_link_for_token(token)
    refusal = link_refusal(link, link.order if link is not None else None, timezone.now())
    if refusal is not None:
        return _refused(request, refusal, link)
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            _log(request, "invalid_input", link, fields=sorted(form.errors))
            return render(request, "public/survey.html", {"form": form, "order": link.order}, status=400)
        try:
            link = survey_answer(
                link_id=link.pk,
                satisfaction=form.cleaned_data["satisfaction"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"].strip(),
            )
        except SurveyRefused as exc:
            return _refused(request, exc.refusal, link)
        _log(
            request,
            "recorded",
            link,
            satisfaction=link.satisfaction,
            reason=link.dissatisfaction_reason,
            recorded_as=link.recorded_as,
        )
        return render(request, "public/survey.html", {"thanks": True, "link": link, "order": link.order})
    _log(request, "shown", link)
    return render(request, "public/survey.html", {"form": form, "order": link.order})
