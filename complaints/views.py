"""Agent workbench pages: intake with customer lookup, the customer page and the global search."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from accounts.roles import Role
from config.api import DomainError
from workorders.filters import WorkOrderFilter
from workorders.forms import error_dict
from workorders.lifecycle import perform
from workorders.models import Status
from workorders.selectors import workorder_list, workorders_visible_to

from .forms import IntakeForm
from .models import ACCOUNT_RE, Category, Customer, normalize_phone
from .services import complaint_register

INTAKE_ROLES = (Role.AGENT,)
LOOKUP_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)


def _require(user, roles):
    if not user.has_role(*roles):
        raise PermissionDenied


def category_tree():
    return [
        {"id": c.pk, "code": c.code, "name": c.display_name, "parent": c.parent_id, "level": c.level}
        for c in Category.objects.filter(is_active=True).order_by("code")
    ]


@login_required
def intake_view(request):
    """The intake workbench: the agent types while the customer is on the line."""
    _require(request.user, INTAKE_ROLES)
    draft = "draft" in request.POST
    initial = {k: request.GET[k] for k in ("phone", "account_no", "channel") if request.GET.get(k)}
    form = IntakeForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            complaint = complaint_register(actor=request.user, draft=draft, **fields)
        except (DomainError, ValidationError) as exc:
            error, field_errors = error_dict(exc)
            for name, errs in field_errors.items():
                for err in errs:
                    form.add_error(name if name in form.fields else None, err)
        else:
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
    lookup = _lookup(request.user, form["phone"].value() or "", form["account_no"].value() or "")
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


def _lookup(user, phone, account_no):
    """The customers matching what the agent typed, with their earlier orders and warnings."""
    phone, account_no = normalize_phone(phone), (account_no or "").strip()
    if len(phone) < 7 and not ACCOUNT_RE.match(account_no):
        return None
    qs = Customer.objects.all()
    q = Q(pk__in=[])
    if ACCOUNT_RE.match(account_no):
        q |= Q(account_no=account_no)
    if len(phone) >= 7:
        q |= Q(phone=phone) | Q(alt_phone=phone)
    customers = list(qs.filter(q).select_related("supply_unit").order_by("pk")[:5])
    now = timezone.now()
    window = timedelta(days=settings.REPEAT_WINDOW_DAYS)
    result = []
    for customer in customers:
        orders = list(
            workorders_visible_to(user)
            .filter(customer=customer)
            .select_related("category", "complaint")
            .order_by("-received_at")[:10]
        )
        open_orders = [o for o in orders if o.status != Status.CLOSED]
        recent_closed = [
            o
            for o in orders
            if o.status == Status.CLOSED
            and o.closed_at
            and now - o.closed_at <= window
            and o.outcome not in ("merged",)
        ]
        result.append(
            {
                "customer": customer,
                "orders": orders,
                "open_orders": open_orders,
                "recent_closed": recent_closed,
            }
        )
    return {"customers": result, "phone": phone, "account_no": account_no}


@login_required
def customer_lookup_view(request):
    _require(request.user, LOOKUP_ROLES)
    lookup = _lookup(request.user, request.GET.get("phone", ""), request.GET.get("account_no", ""))
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
    except (DomainError, ValidationError) as exc:
        message, _fields = error_dict(exc)
        return render(request, "complaints/_urged.html", {"order": order, "error": message})
    return render(request, "complaints/_urged.html", {"order": order})


@login_required
def customer_detail_view(request, pk):
    if not request.user.has_role(*LOOKUP_ROLES):
        raise Http404
    customer = get_object_or_404(Customer.objects.select_related("supply_unit"), pk=pk)
    orders = workorder_list(request.user).filter(customer=customer).order_by("-received_at")[:100]
    return render(request, "complaints/customer.html", {"customer": customer, "orders": orders})


@login_required
def search_view(request):
    """Global search: tracking number, phone, account number or text, in the user's scope."""
    q = request.GET.get("q", "").strip()
    orders, customers = [], []
    if q:
        qs = workorder_list(request.user)
        orders = list(WorkOrderFilter().filter_search(qs, "search", q).order_by("-received_at", "-id")[:50])
        if request.user.has_role(*LOOKUP_ROLES):
            phone = normalize_phone(q)
            cq = Q(name__icontains=q) if not q.isdigit() else Q(pk__in=[])
            if ACCOUNT_RE.match(q):
                cq |= Q(account_no=q)
            if phone.isdigit() and len(phone) >= 7:
                cq |= Q(phone=phone) | Q(alt_phone=phone)
            customers = list(Customer.objects.filter(cq).order_by("pk")[:20])
    return render(request, "complaints/search.html", {"q": q, "orders": orders, "customers": customers})
