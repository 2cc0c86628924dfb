"""Agent workbench pages: intake with customer lookup, the customer page and the global search."""

import uuid

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

from ..lifecycle import perform
from ..models import Status
from ..queues import queue_counts_forget, with_late_stages
from ..search import tracking_number, workorder_search, workorder_search_ranked
from ..selectors import workorder_get, workorder_list, workorders_visible_to
from .selectors import customer_get, customer_lookup, customer_search
from .services import DRAFT_FIELDS, complaint_draft_update, complaint_register, idempotency_run

# The hidden field that carries the intake form's one-time token (the Idempotency-Key of its submit).
ONCE_FIELD = "once_token"
# Page keys share the user's Idempotency-Key space with the API: a prefix keeps them apart.
ONCE_PREFIX = "intake-page:"


def _require(user, roles):
    if not user.has_role(*roles):
        raise PermissionDenied


def _page_body(post) -> dict:
    """The submitted fields as the request's fingerprint (without the CSRF token, which may rotate)."""
    return {k: post.getlist(k) for k in sorted(post) if k != "csrfmiddlewaretoken"}


def _registered(complaint) -> dict:
    """What an intake answers (and a replay answers again): the order to show and what to tell."""
    order = complaint.workorder
    return {
        "order": order.pk,
        "tracking_no": complaint.tracking_no,
        "draft": order.status == Status.INTAKE,
        "duplicates": [dup.tracking_no for dup in getattr(order, "duplicates", [])],
    }


def _field_errors(form, exc: DomainError):
    error, field_errors = page_message(exc)
    for name, errs in field_errors.items():
        for err in errs:
            form.add_error(name if name in form.fields else None, err)
    return error


@login_required
def intake_view(request):
    """The intake workbench: the agent types while the customer is on the line.

    The form carries a one-time token, the ``Idempotency-Key`` of its submit (the service the API
    uses): a second submit of the same form (a double click, a retried request) registers nothing
    and shows the first result.
    """
    _require(request.user, INTAKE_ROLES)
    draft = "draft" in request.POST
    initial = {k: request.GET[k] for k in ("phone", "account_no", "channel") if request.GET.get(k)}
    form = IntakeForm(request.POST or None, initial=initial, user=request.user, draft=draft)
    token = (request.POST.get(ONCE_FIELD) or "").strip()[:64] or str(uuid.uuid4())
    error = None
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            answer = idempotency_run(
                user=request.user,
                key=ONCE_PREFIX + token if request.POST.get(ONCE_FIELD) else "",
                data=_page_body(request.POST),
                produce=lambda: (
                    201,
                    _registered(complaint_register(actor=request.user, draft=draft, **fields)),
                ),
            )
        except DomainError as exc:
            if exc.code == "idempotency_key_reused":  # the form was sent once, then changed
                error = _("This form was already sent. Start the next complaint from a new form.")
                token = str(uuid.uuid4())
            else:
                error = _field_errors(form, exc)
        else:
            queue_counts_forget(request.user)
            body = answer.body
            if answer.replayed:
                messages.info(
                    request,
                    _("%(no)s was already saved by the first click; nothing was saved twice.")
                    % {"no": body["tracking_no"]},
                )
            elif body["draft"]:
                messages.success(
                    request,
                    _("Draft %(no)s saved. Edit and submit it when the call is complete.")
                    % {"no": body["tracking_no"]},
                )
            else:
                messages.success(
                    request,
                    _("Complaint %(no)s registered and sent for classification.")
                    % {"no": body["tracking_no"]},
                )
            if not answer.replayed:
                for no in body["duplicates"]:
                    messages.warning(request, _("Possible duplicate of the open order %(no)s.") % {"no": no})
            return redirect("workorders:detail", pk=body["order"])
    elif request.method == "POST" and error is None:
        error = (
            _("The draft was not saved; correct the marked fields.")
            if draft
            else _("The complaint was not saved; correct the marked fields.")
        )
    return _intake_page(request, form, error=error, token=token)


def _intake_page(request, form, *, error=None, token="", order=None):
    lookup = customer_lookup(request.user, form["phone"].value() or "", form["account_no"].value() or "")
    if order is not None:  # the draft being edited is not a duplicate of itself
        for found in (lookup or {}).get("customers", []):
            found["open_orders"] = [o for o in found.get("open_orders", []) if o.pk != order.pk]
    for name in form.SUBMIT_ONLY:  # the marks say what a submit needs, also after a draft's save
        form.fields[name].required = True
    return render(
        request,
        "complaints/intake.html",
        {
            "form": form,
            "error": error,
            "categories": category_tree(),
            "lookup": lookup,
            "once_token": token,
            "draft_order": order,
        },
        status=400 if error else 200,
    )


@login_required
def draft_edit_view(request, pk):
    """Edit a draft (an order still in intake) with the intake form, prefilled; save it again or
    submit it (then every field the submit needs is required). A second post of the same form (a
    double click) finds the draft changed or submitted and shows it as it is now."""
    _require(request.user, INTAKE_ROLES)
    order = workorder_get(request.user, pk)
    if order is None:
        raise Http404
    if order.status != Status.INTAKE:
        if request.method == "POST":
            messages.info(
                request,
                _("%(no)s is no longer a draft; here it is as it is now.") % {"no": order.tracking_no},
            )
        return redirect("workorders:detail", pk=order.pk)
    complaint = order.complaint
    draft = request.method == "POST" and "submit" not in request.POST
    initial = {name: getattr(complaint, name) for name in DRAFT_FIELDS}
    form = IntakeForm(request.POST or None, initial=initial, user=request.user, draft=draft)
    error = None
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in DRAFT_FIELDS}
        version = request.POST.get("version", "")
        try:
            order = complaint_draft_update(
                actor=request.user,
                order_id=order.pk,
                version=int(version) if version.isdigit() else None,
                submit=not draft,
                **fields,
            )
        except DomainError as exc:
            if exc.code in ("stale_version", "illegal_transition"):
                messages.info(
                    request,
                    _("This draft was changed or submitted meanwhile; here it is as it is now."),
                )
                return redirect("workorders:detail", pk=order.pk)
            error = _field_errors(form, exc)
        else:
            queue_counts_forget(request.user)
            if draft:
                messages.success(request, _("Draft %(no)s saved.") % {"no": order.tracking_no})
            else:
                messages.success(
                    request,
                    _("Complaint %(no)s registered and sent for classification.") % {"no": order.tracking_no},
                )
            return redirect("workorders:detail", pk=order.pk)
    elif request.method == "POST" and error is None:
        error = (
            _("The draft was not saved; correct the marked fields.")
            if draft
            else _("The complaint was not submitted; correct the marked fields.")
        )
    return _intake_page(request, form, error=error, order=order)


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
        if tracking_number(q):  # a full tracking number opens its order
            order = workorder_search(qs, q, user=request.user).first()
            if order is not None:
                return redirect("workorders:detail", pk=order.pk)
        found = workorder_search_ranked(qs, q, user=request.user, limit=50)
        orders = with_late_stages(list(found))
        if request.user.has_role(*LOOKUP_ROLES):
            customers = customer_search(request.user, q)
    return render(request, "complaints/search.html", {"q": q, "orders": orders, "customers": customers})
