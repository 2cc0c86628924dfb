"""Intake, customer lookup and the category tree."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from config.api import DomainError
from workorders.selectors import workorders_visible_to

from .models import Category, Customer, IdempotencyKey, normalize_phone
from .serializers import CategorySerializer, ComplaintInput, ComplaintSerializer, CustomerSerializer
from .services import complaint_register

INTAKE_ROLES = (Role.AGENT,)
LOOKUP_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)


def _require_role(user, roles):
    if not user.has_role(*roles):
        raise DomainError(_("Your role may not do this."), code="permission_denied", status_code=403)


class ComplaintCreateApi(APIView):
    """Intake. Send an ``Idempotency-Key`` header: a retried request returns the first result."""

    @extend_schema(
        request=ComplaintInput,
        responses={201: ComplaintSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request):
        _require_role(request.user, INTAKE_ROLES)
        key = request.headers.get("Idempotency-Key", "").strip()[:255]
        if not key:
            return self._create(request)
        digest = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
        stored = self._stored(request.user, key, digest)
        if stored is not None:
            return stored
        try:
            with transaction.atomic():
                response = self._create(request)
                IdempotencyKey.objects.create(
                    user=request.user,
                    key=key,
                    request_hash=digest,
                    response_status=response.status_code,
                    response_body=json.loads(json.dumps(response.data, default=str)),
                )
            return response
        except IntegrityError:
            # A concurrent request with this key committed first: its complaint stands, ours rolled back.
            stored = self._stored(request.user, key, digest)
            if stored is None:
                raise
            return stored

    @staticmethod
    def _stored(user, key, digest):
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:
            return None
        if row.request_hash != digest:
            raise DomainError(
                _("This Idempotency-Key was already used for a different request."),
                code="idempotency_key_reused",
                status_code=422,
            )
        return Response(
            row.response_body, status=row.response_status, headers={"Idempotent-Replayed": "true"}
        )

    def _create(self, request):
        data = ComplaintInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        related = fields.pop("related_to", None)
        if related is not None:
            fields["related_to"] = workorders_visible_to(request.user).filter(pk=related).first()
        complaint = complaint_register(actor=request.user, **fields)
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


class CustomerLookupApi(generics.ListAPIView):
    """Customers by ``phone`` or ``account_no``, each with the orders the caller may see."""

    serializer_class = CustomerSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("phone", str, required=False),
            OpenApiParameter("account_no", str, required=False),
        ]
    )
    def get(self, request, *args, **kwargs):
        _require_role(request.user, LOOKUP_ROLES)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        params = self.request.query_params
        phone, account_no = normalize_phone(params.get("phone", "")), params.get("account_no", "").strip()
        if not phone and not account_no:
            raise DomainError(_("Give a phone number or an account number."), code="invalid", status_code=400)
        qs = Customer.objects.all()
        if account_no:
            qs = qs.filter(account_no=account_no)
        if phone:
            qs = qs.filter(Q(phone=phone) | Q(alt_phone=phone))
        return qs.order_by("pk")[:20]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        customers = list(self.get_queryset())
        orders = (
            workorders_visible_to(self.request.user)
            .filter(customer__in=customers)
            .select_related("category", "complaint")
            .order_by("-received_at")[:500]
        )
        by_customer = {}
        for order in orders:
            by_customer.setdefault(order.customer_id, []).append(order)
        context["orders_by_customer"] = by_customer
        return context


class CategoryListApi(generics.ListAPIView):
    """The category tree, flat (``parent`` links); choose leaves (``is_leaf``) for orders."""

    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.filter(is_active=True).order_by("code")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["parents"] = set(
            Category.objects.filter(is_active=True, parent__isnull=False).values_list("parent_id", flat=True)
        )
        return context
