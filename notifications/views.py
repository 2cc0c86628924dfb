"""The inbox page: list, mark one or all read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .selectors import inbox_for, unread_count


@login_required
def inbox(request):
    qs = inbox_for(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    context = {"page": page, "only_unread": only_unread, "unread": unread_count(request.user)}
    template = "notifications/partials/inbox_results.html" if request.htmx else "notifications/inbox.html"
    return render(request, template, context)


@login_required
@require_POST
def mark_read(request, pk):
    services.notification_mark_read(user=request.user, ids=[pk])
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:inbox"
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request):
    services.notification_mark_read(user=request.user)
    return redirect("notifications:inbox")
