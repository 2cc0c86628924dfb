"""The public pages: ``/track/`` (progress lookup) and ``/complain/`` (web intake).

No sign-in and no session: both are forms sent by POST with a CSRF token (a cookie, not a
session), so nothing personal travels in a URL or an access log line; the answers are rendered in
the POST's response, never redirected to a URL that would carry them, and never cached. Every
answer is logged (``PublicRequest``) by the services; a limit reached answers 429 with a page that
says when to try again (and ``Retry-After``).
"""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from config.errors import DomainError, page_message

from .challenge import ChallengeExpired, ChallengeInvalid, challenge_new, challenge_read
from .forms import ComplainForm, TrackForm, max_files, max_total_bytes
from .selectors import STEPS, Stage
from .services import complaint_file_web, complaint_web_attempt, complaint_web_refused, public_track_lookup
from .throttling import client_ip


def _throttled(request, template: str, context: dict, seconds: int):
    until = timezone.localtime(timezone.now() + timedelta(seconds=seconds))
    response = render(
        request,
        template,
        {
            **context,
            "throttled": True,
            "retry_after": seconds,
            "retry_minutes": -(-seconds // 60),
            "retry_at": until,
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _steps(progress: dict) -> list[dict]:
    """The progress line: each customer step, done or not, with its date."""
    stage = progress["stage"]
    reached = STEPS.index(Stage(stage)) if stage in STEPS else len(STEPS) - 1
    dates = [
        progress["received_at"],
        progress["dispatched_at"],
        progress["replied_at"],
        progress["closed_at"],
    ]
    return [
        {"label": step.label, "done": i <= reached, "current": i == reached, "date": dates[i]}
        for i, step in enumerate(STEPS)
    ]


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def track_view(request):
    """The progress lookup page: the tracking number and the phone's last four digits in, the
    stage, the dates and (once approved) the reply out; a wrong pair reads like a missing order."""
    form = TrackForm(request.POST or None)
    context = {"form": form}
    if request.method != "POST":
        return render(request, "public/track.html", context)
    valid = form.is_valid()
    answer = public_track_lookup(
        ip=client_ip(request),
        tracking_no=request.POST.get("tracking_no", ""),
        phone_last4=request.POST.get("phone_last4", ""),
        via="page",
        errors=None if valid else dict(form.errors),
    )
    if answer.outcome == "throttled":
        return _throttled(request, "public/track.html", context, answer.retry_after)
    if answer.outcome == "not_found":
        context["not_found"] = True
    elif answer.outcome == "found":
        context.update(progress=answer.progress, steps=_steps(answer.progress))
    return render(request, "public/track.html", context, status=404 if answer.outcome == "not_found" else 200)


def _complain_page(request, form, challenge, *, status=200, **extra):
    return render(
        request,
        "public/complain.html",
        {
            "form": form,
            "challenge": challenge,
            "max_files": max_files(),
            "max_mb": round(max_total_bytes() / 1048576),
            **extra,
        },
        status=status,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def complain_view(request):
    """Web intake: a customer files a complaint (channel ``web_95598``), answering a small sum.

    The form's signed token carries the sum and a one-time nonce (``challenge``); the nonce is the
    filing's Idempotency-Key, so a double submit files one complaint and shows the same number. A
    wrong answer, an expired form or a field error shows the form again with what was typed and a
    new sum.
    """
    if request.method != "POST":
        form = ComplainForm()
        challenge = challenge_new()
        form.initial["form_token"] = challenge.token
        return _complain_page(request, form, challenge)
    form = ComplainForm(request.POST, request.FILES)
    ip = client_ip(request)
    try:
        challenge = challenge_read(request.POST.get("form_token", ""))
        expired = False
    except ChallengeExpired as exc:
        challenge, expired = exc.challenge, True
    except ChallengeInvalid:
        challenge, expired = None, False
    blocked = complaint_web_attempt(ip=ip, nonce=challenge.nonce if challenge else None)
    if blocked is not None:
        return _throttled(request, "public/complain.html", {}, blocked.retry_after)
    error = None
    valid = form.is_valid()
    answered = (
        valid
        and challenge is not None
        and not expired
        and form.cleaned_data["challenge_answer"] == challenge.answer
    )
    if answered:
        try:
            answer = complaint_file_web(
                ip=ip,
                nonce=challenge.nonce,
                fingerprint=form.fingerprint(),
                fields=form.intake_fields(),
                category=form.cleaned_data["category"],
                files=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            message, fields = page_message(exc)
            for name, messages in fields.items():
                for message_text in messages:
                    form.add_error(name if name in form.fields else None, message_text)
            error = message
        else:
            if answer.outcome == "throttled":
                return _throttled(request, "public/complain.html", {}, answer.retry_after)
            if answer.outcome in ("created", "replayed"):
                return _complain_page(
                    request, None, None, filed=answer.tracking_no, replayed=answer.outcome == "replayed"
                )
            error = _(
                "This form was already sent. To send another complaint, answer the new sum and send again."
            )
    else:
        if challenge is None:
            reason, error = "unreadable", _("The form could not be read. Answer the new sum and send again.")
        elif expired:
            reason, error = "expired", _("The form was open too long. Answer the new sum and send again.")
        elif valid:
            form.add_error("challenge_answer", _("That is not the right answer. Try the new sum."))
            reason, error = "wrong_answer", _("Please answer the sum again.")
        else:
            reason, error = "invalid", _("Some answers need a correction; see the marked fields.")
        complaint_web_refused(ip=ip, reason=reason, phone=request.POST.get("phone", ""), fields=form.errors)
    fresh = challenge_new()
    data = request.POST.copy()
    data["form_token"] = fresh.token
    data["challenge_answer"] = ""
    form.data = data
    form.mark_invalid()
    return _complain_page(request, form, fresh, status=400, error=error)
