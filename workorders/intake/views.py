"""Agent workbench pages: intake with customer lookup, the customer page and the global search."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import INTAKE_ROLES, LOOKUP_ROLES
from complaints.forms import IntakeForm
from complaints.selectors import category_tree
from config.errors import DomainError, page_message

from ..filters import workorder_search
from ..lifecycle import perform
from ..queues import queue_counts_forget, with_late_stages
from ..selectors import workorder_list, workorders_visible_to
from .selectors import customer_get, customer_lookup, customer_search
from .services import complaint_register


def _require(user, roles):
    if not user.has_role(*roles):
        raise PermissionDenied


@login_required
def intake_view(request):
    """The intake workbench: the agent types while the customer is on the line."""
    _require(request.user, INTAKE_ROLES)
    draft = "draft" in request.POST
    initial = {k: request.GET[k] for k in ("phone", "account_no", "channel") if request.GET.get(k)}
    form = IntakeForm(request.POST or None, initial=initial, user=request.user)
    error = None
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            complaint = complaint_register(actor=request.user, draft=draft, **fields)
        except DomainError as exc:
            error, field_errors = page_message(exc)
            for name, errs in field_errors.items():
                for err in errs:
                    form.add_error(name if name in form.fields else None, err)
        else:
            queue_counts_forget(request.user)
            order = complaint.workorder
            if draft:
                messages.success(
                    request,
                    _("Draft %(no)s saved. Submit it from the order page when it is complete.")
                    % {"no": complaint.tracking_no},
                )
            else:
                messages.success(
                    request,
                    _("Complaint %(no)s registered and sent for classification.")
                    % {"no": complaint.tracking_no},
                )
            for dup in getattr(order, "duplicates", []):
                messages.warning(
                    request, _("Possible duplicate of the open order %(no)s.") % {"no": dup.tracking_no}
                )
            return redirect("workorders:detail", pk=order.pk)
    elif request.method == "POST" and error is None:
        error = _("The complaint was not saved; correct the marked fields.")
    lookup = customer_lookup(request.user, form["phone"].value() or "", form["account_no"].value() or "")
    return render(
        request,
        "complaints/intake.html",
        {
            "form": form,
            "error": error,
            "categories": category_tree(),
            "lookup": lookup,
        },
        status=400 if error else 200,
    )


@login_required
def customer_lookup_view(request):
    _require(request.user, LOOKUP_ROLES)
    lookup = customer_lookup(request.user, request.GET.get("phone", ""), request.GET.get("account_no", ""))
    return render(request, "complaints/_lookup.html", {"lookup": lookup})


@login_required
@require_POST
def intake_urge_view(request, pk):
    """One click from the intake page: urge the customer's open order instead of logging a duplicate."""
    _require(request.user, INTAKE_ROLES)
    order = workorders_visible_to(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404
    try:
        order = perform(
            order.pk,
            "urge",
            actor=request.user,
            version=int(request.POST.get("version") or 0) or None,
            data={"comment": request.POST.get("comment", "")},
        )
    except DomainError as exc:
        message, _fields = page_message(exc)
        return render(request, "complaints/_urged.html", {"order": order, "error": message})
    return render(request, "complaints/_urged.html", {"order": order})


@login_required
def customer_detail_view(request, pk):
    if not request.user.has_role(*LOOKUP_ROLES):
        raise Http404
    customer = customer_get(request.user, pk)
    if customer is None:  # outside the user's scope, or no such customer: the same answer
        raise Http404
    orders = with_late_stages(
        list(workorder_list(request.user).filter(customer=customer).order_by("-received_at")[:100])
    )
    return render(request, "complaints/customer.html", {"customer": customer, "orders": orders})


@login_required
def search_view(request):
    """Global search: tracking number, phone, account number or text, in the user's scope."""
    q = request.GET.get("q", "").strip()
    orders, customers = [], []
    if q:
        qs = workorder_list(request.user)
        found = workorder_search(qs, q, user=request.user).order_by("-received_at", "-id")[:50]
        orders = with_late_stages(list(found))
        if request.user.has_role(*LOOKUP_ROLES):
            customers = customer_search(request.user, q)
    return render(request, "complaints/search.html", {"q": q, "orders": orders, "customers": customers})
