"""Outage pages: the list (complaints per outage), entering one, its page (linked orders, orders that
look related, bulk handling), the intake suggestion panel and the order page's side box.

Rules are the services' (``workorders.outages.services``); these views only ask and show.
"""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Department
from config.errors import DomainError
from workorders.models import Status, Truthfulness
from workorders.selectors import workorder_get

from . import selectors, services
from .models import OutageEvent

DT_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _departments():
    return Department.objects.filter(is_active=True).exclude(kind=Department.Kind.COMPANY).order_by("code")


class OutageForm(forms.Form):
    area = forms.CharField(
        label=gettext_lazy("Area (place names, comma separated)"), max_length=500, widget=forms.Textarea
    )
    started_at = forms.DateTimeField(label=gettext_lazy("Started at"), widget=DT_INPUT)
    expected_restore_at = forms.DateTimeField(
        label=gettext_lazy("Expected restore at"), widget=DT_INPUT, required=False
    )
    cause = forms.CharField(
        label=gettext_lazy("Cause"), max_length=2000, required=False, widget=forms.Textarea
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Supply unit"),
        queryset=Department.objects.filter(kind=Department.Kind.SUPPLY_UNIT, is_active=True),
        required=False,
    )


def _role_actions(user) -> list[str]:
    return [code for code, (_lc, role) in services.BULK_ACTIONS.items() if user.has_role(role)]


def _detail_context(request, outage, *, result=None) -> dict:
    user = request.user
    linked = list(selectors.outage_orders(user, outage, confirmed=True))
    related = selectors.outage_related(user, outage) if user.has_role(*services.ENTER_ROLES) else []
    counts = selectors.linked_counts(user, [outage])[outage.pk]
    status_rows = [(label, counts["by_status"].get(value, 0)) for value, label in Status.choices]
    by_id = {o.pk: o for o in linked}
    if result:
        for row in result["succeeded"] + result["refused"]:
            order = by_id.get(row["id"])
            row["tracking_no"] = row.get("tracking_no") or (order.tracking_no if order else f"#{row['id']}")
    return {
        "outage": outage,
        "linked": linked,
        "related": related,
        "counts": counts,
        "status_rows": status_rows,
        "can_link": user.has_role(*services.ENTER_ROLES),
        "bulk_actions": _role_actions(user),
        "departments": _departments(),
        "truthfulness": Truthfulness.choices,
        "token": uuid.uuid4().hex,
        "result": result,
        "window": selectors.window(outage),
    }


@login_required
def outage_list_view(request):
    outages = list(selectors.outage_list(request.user)[:200])
    counts = selectors.linked_counts(request.user, outages)
    labels = dict(Status.choices)
    for c in counts.values():
        c["by_status"] = {labels.get(k, k): n for k, n in c["by_status"].items()}
    rows = [(o, counts[o.pk]) for o in outages]
    return render(
        request,
        "outages/outage_list.html",
        {"rows": rows, "can_create": request.user.has_role(*services.ENTER_ROLES)},
    )


@login_required
def outage_create_view(request):
    if not request.user.has_role(*services.ENTER_ROLES):
        raise Http404
    form = OutageForm(request.POST or None, initial={"started_at": timezone.localtime().replace(second=0)})
    if request.method == "POST" and form.is_valid():
        try:
            outage, _created = services.outage_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            for name, msgs in exc.fields.items():
                form.add_error(name if name in form.fields else None, msgs)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Outage entered."))
            return redirect("outages:detail", outage.pk)
    return render(request, "outages/outage_form.html", {"form": form})


@login_required
def outage_detail_view(request, pk):
    outage = get_object_or_404(OutageEvent.objects.select_related("unit", "created_by"), pk=pk)
    return render(request, "outages/outage_detail.html", _detail_context(request, outage))


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit() and len(str(v)) < 19]


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def outage_link_view(request, pk):
    outage = get_object_or_404(OutageEvent, pk=pk)
    back = _safe_next(request, reverse("outages:detail", args=[pk]))
    try:
        result = services.outage_link(
            actor=request.user, outage=outage, order_ids=_ids(request.POST.getlist("orders"))
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if result.linked:
        messages.success(request, _("%(n)d orders linked to the outage.") % {"n": len(result.linked)})
    elif not result.refused:
        messages.info(request, _("Nothing new to link."))
    if result.refused:
        messages.warning(request, _("%(n)d orders could not be linked.") % {"n": len(result.refused)})
    return redirect(back)


@login_required
@require_POST
def outage_bulk_view(request, pk, action):
    outage = get_object_or_404(OutageEvent, pk=pk)
    post = request.POST
    data = {name: post.get(name, "") for name in ("text", "cause", "measures", "truthfulness")}
    for name in ("department", "assignee", "responsible_department"):
        data[name] = int(post[name]) if post.get(name, "").isdigit() else None
    order_ids = _ids(post.getlist("orders"))
    if not order_ids:
        messages.error(request, _("Choose at least one order."))
        return redirect("outages:detail", pk)
    try:
        result, replayed = services.outage_bulk(
            actor=request.user,
            outage=outage,
            action=action,
            order_ids=order_ids,
            data=data,
            key=f"form:{post.get('token', '')}" if post.get("token") else "",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("outages:detail", pk)
    if replayed:
        messages.info(request, _("This form was already sent; here is what it did then."))
    context = _detail_context(request, outage, result=result)
    return render(request, "outages/outage_detail.html", context)


@login_required
def outage_suggest_view(request):
    """The intake page's panel: outages the complaint being typed looks caused by."""
    found = selectors.outages_for_complaint(
        address=request.GET.get("address", "")[:500], content=request.GET.get("content", "")[:4000]
    )
    return render(request, "outages/partials/suggest.html", {"found": found[:5]})


@login_required
def order_box_view(request, pk):
    """The order page's side box: its linked outage(s), or outages it looks caused by."""
    order = workorder_get(request.user, pk)
    if order is None:
        raise Http404
    box = selectors.order_outages(request.user, order)
    return render(
        request,
        "outages/partials/order_box.html",
        {
            "order": order,
            "box": box,
            "can_link": request.user.has_role(*services.ENTER_ROLES),
            "next": reverse("workorders:detail", args=[order.pk]),
        },
    )
