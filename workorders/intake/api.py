"""Intake and customer lookup (/api/v1/complaints/, /api/v1/customers/)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import INTAKE_ROLES, LOOKUP_ROLES
from complaints.models import Customer, normalize_phone
from complaints.serializers import ComplaintInput
from config.errors import DomainError

from ..selectors import workorders_visible_to
from .selectors import customer_orders, customers_matching
from .serializers import ComplaintSerializer, CustomerSerializer
from .services import complaint_register, idempotency_run


def _require_role(user, roles):
    if not user.has_role(*roles):
        raise DomainError(_("Your role may not do this."), code="permission_denied")


class ComplaintCreateApi(APIView):
    """Intake. Send an ``Idempotency-Key`` header: a retried request returns the first result."""

    @extend_schema(
        request=ComplaintInput,
        responses={201: ComplaintSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="At most 255 characters; a longer key is refused (400 invalid), never cut.",
            )
        ],
    )
    def post(self, request):
        _require_role(request.user, INTAKE_ROLES)
        answer = idempotency_run(
            user=request.user,
            key=request.headers.get("Idempotency-Key", ""),
            data=request.data,
            produce=lambda: self._create(request),
        )
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
        return Response(answer.body, status=answer.status, headers=headers)

    @staticmethod
    def _create(request) -> tuple[int, dict]:
        data = ComplaintInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        related = fields.pop("related_to", None)
        if related is not None:
            fields["related_to"] = workorders_visible_to(request.user).filter(pk=related).first()
        complaint = complaint_register(actor=request.user, **fields)
        return status.HTTP_201_CREATED, ComplaintSerializer(complaint).data


class CustomerLookupApi(generics.ListAPIView):
    """Customers in the caller's scope by ``phone`` or ``account_no`` (in full), each with the orders
    the caller may see."""

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
            raise DomainError(_("Give a phone number or an account number."), code="invalid")
        return customers_matching(self.request.user, phone=phone, account_no=account_no)[:20]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        customers = list(self.get_queryset())
        context["orders_by_customer"] = customer_orders(self.request.user, customers, limit=500)
        return context
