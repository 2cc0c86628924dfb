"""The inbox page: items grouped by order; an item opens its order and is then read; mark all read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .selectors import inbox_group_items, inbox_groups, unread_count

GROUPS_PER_PAGE = 20
ITEMS_PER_GROUP = 5


@login_required
def inbox(request):
    only_unread = request.GET.get("unread") == "1"
    page = Paginator(inbox_groups(request.user, only_unread=only_unread), GROUPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    groups = inbox_group_items(request.user, list(page.object_list), per_group=ITEMS_PER_GROUP)
    unread = unread_count(request.user)
    context = {"page": page, "groups": groups, "only_unread": only_unread, "unread": unread}
    template = "notifications/partials/inbox_results.html" if request.htmx else "notifications/inbox.html"
    return render(request, template, context)


@login_required
def open_item(request, pk):
    """One click on an inbox item: it (and its order's other items) marked read, then its order.
    A GET, so the item is a plain link (a new tab works too); it changes only the user's own
    read marks."""
    try:
        order_id = services.notification_open(user=request.user, pk=pk)
    except services.NotFound:
        raise Http404 from None
    if order_id is None:
        return redirect("notifications:inbox")
    return redirect("workorders:detail", pk=order_id)


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
