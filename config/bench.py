"""Bare reference views for ``python manage.py benchmark``: the floor of this stack.

The benchmark sets each budgeted path beside what Django itself costs on the same machine in the
same minutes: a GET that answers a tiny JSON from one indexed row SELECT, and a POST that inserts
one row. Both go through the whole middleware stack, without authentication or application logic.

Mounted under /bench/ only when ``BENCHMARK_BARE_VIEWS`` is on (a setting, else the environment
variable of that name; the benchmark's gunicorn gets ``BENCHMARK_BARE_VIEWS=1``), never otherwise.
"""

import json
import os

from django.conf import settings
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from complaints.models import Customer
from workorders.models import WorkOrder

BARE_CUSTOMER_NAME = "bench-bare"  # the rows the bare POST inserts (the benchmark deletes them)


def enabled() -> bool:
    value = getattr(settings, "BENCHMARK_BARE_VIEWS", None)
    if value is None:
        value = os.environ.get("BENCHMARK_BARE_VIEWS", "")
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@require_GET
def bare_get(request, pk):
    """One work order's id, tracking number and status: one SELECT by primary key."""
    row = WorkOrder.objects.filter(pk=pk).values("id", "tracking_no", "status").first()
    if row is None:
        return JsonResponse({"detail": "not found"}, status=404)
    return JsonResponse(row)


@csrf_exempt
@require_POST
def bare_post(request):
    """One INSERT of a customer row from a small JSON body (the reference for intake)."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"detail": "invalid JSON"}, status=400)
    customer = Customer.objects.create(
        name=BARE_CUSTOMER_NAME,
        phone=str(data.get("phone", ""))[:20],
        address=str(data.get("address", ""))[:255],
    )
    return JsonResponse({"id": customer.pk}, status=201)


urlpatterns = [
    path("get/<int:pk>/", bare_get, name="bench-bare-get"),
    path("post/", bare_post, name="bench-bare-post"),
]
