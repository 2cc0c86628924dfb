"""The quality pages: /quality/ (queue, appeals waiting, results), /quality/<id>/ (the scoring form
beside the order's summary; the appeal; the decision), /quality/results/ (trends)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import STATISTICS_ROLES, Role

from .models import QUALITY_ITEMS, QUALITY_MAX_TOTAL, AppealDecision, InspectionState
from .selectors import (
    DECIDER_ROLES,
    INSPECTOR_ROLES,
    can_appeal,
    can_decide,
    can_score,
    hasattr_appeal,
    inspection_get,
    inspection_list,
    is_inspected_party,
    quality_trends,
)
from .services import QualityError, inspection_appeal, inspection_decide, inspection_score

PER_PAGE = 30


@login_required
def quality_index(request):
    user = request.user
    inspections = inspection_list(user)
    inspector = user.has_role(*INSPECTOR_ROLES, Role.ADMIN)
    decider = user.has_role(*DECIDER_ROLES, Role.ADMIN)
    pending = (
        list(inspections.filter(state=InspectionState.PENDING).order_by("created_at", "id")[:PER_PAGE])
        if inspector
        else []
    )
    appeals = (
        list(inspections.filter(state=InspectionState.APPEALED).order_by("appeal__appealed_at", "id"))
        if decider
        else []
    )
    results = inspections.exclude(state=InspectionState.PENDING).order_by("-scored_at", "-id")
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/index.html",
        {
            "inspector": inspector,
            "decider": decider,
            "pending": pending,
            "pending_count": inspections.filter(state=InspectionState.PENDING).count() if inspector else 0,
            "appeals": appeals,
            "page": page,
            "max_total": QUALITY_MAX_TOTAL,
            "statistics": bool(user.roles & STATISTICS_ROLES),
        },
    )


def _items(inspection):
    return [
        {"code": code, "label": label, "max": maximum, "value": (inspection.scores or {}).get(code)}
        for code, label, maximum in QUALITY_ITEMS
    ]


@login_required
def quality_detail(request, pk):
    user = request.user
    inspection = inspection_get(user, pk)
    if inspection is None:
        raise Http404
    return render(
        request,
        "quality/detail.html",
        {
            "i": inspection,
            "order": inspection.order,
            "items": _items(inspection),
            "max_total": QUALITY_MAX_TOTAL,
            "appeal": inspection.appeal if hasattr_appeal(inspection) else None,
            "may_score": can_score(user, inspection),
            "may_appeal": can_appeal(user, inspection),
            "may_decide": can_decide(user, inspection),
            "inspected": is_inspected_party(user, inspection),
            "decisions": AppealDecision.choices,
            "log": inspection.log.select_related("actor").order_by("created_at", "id"),
            "form": request.POST if request.method == "POST" else {},
        },
    )


def _act(request, pk, run):
    try:
        run()
    except QualityError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
    return redirect("quality:detail", pk=pk)


@login_required
@require_POST
def quality_score(request, pk):
    scores = {code: request.POST.get(code) for code, _l, _m in QUALITY_ITEMS}

    def run():
        inspection_score(
            user=request.user,
            inspection_id=pk,
            scores=scores,
            comment=request.POST.get("comment", ""),
            version=request.POST.get("version") or 0,
        )
        messages.success(request, _msg("scored"))

    return _act(request, pk, run)


@login_required
@require_POST
def quality_appeal(request, pk):
    def run():
        inspection_appeal(
            user=request.user,
            inspection_id=pk,
            reason=request.POST.get("reason", ""),
            version=request.POST.get("version") or 0,
        )
        messages.success(request, _msg("appealed"))

    return _act(request, pk, run)


@login_required
@require_POST
def quality_decide(request, pk):
    def run():
        inspection_decide(
            user=request.user,
            inspection_id=pk,
            decision=request.POST.get("decision", ""),
            new_total=request.POST.get("new_total") or None,
            comment=request.POST.get("comment", ""),
            version=request.POST.get("version") or 0,
        )
        messages.success(request, _msg("decided"))

    return _act(request, pk, run)


def _msg(what):
    return {
        "scored": _("The inspection is scored."),
        "appealed": _("Your appeal is sent to the managers."),
        "decided": _("The appeal is decided."),
    }[what]


@login_required
def quality_results(request):
    if not request.user.roles & STATISTICS_ROLES:
        raise PermissionDenied
    try:
        weeks = max(1, min(int(request.GET.get("weeks", 8)), 26))
    except ValueError:
        weeks = 8
    return render(
        request,
        "quality/results.html",
        {"trends": quality_trends(request.user, weeks=weeks), "weeks": weeks, "max_total": QUALITY_MAX_TOTAL},
    )
