from axes.helpers import get_cool_off
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import token_expires_at
from .selectors import user_covered_departments
from .serializers import DepartmentSerializer, MeSerializer
from .services import api_token_for, api_tokens_revoke


class MeApi(APIView):
    """The signed-in user, their role(s) and department."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class DepartmentListApi(generics.ListAPIView):
    """Departments the caller covers (the whole tree for administrators)."""

    serializer_class = DepartmentSerializer
    pagination_class = None

    def get_queryset(self):
        return user_covered_departments(self.request.user).order_by("path")


class TokenApi(ObtainAuthToken):
    """`{username, password}` → `{token, expires_at}`; failed attempts count toward the login
    throttle. The token is valid for `API_TOKEN_TTL_HOURS` from when it was issued (the same token
    while it is valid, a new one after), until logout or a password change."""

    @extend_schema(
        request=AuthTokenSerializer,
        responses=inline_serializer(
            "ApiToken", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
        ),
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):  # set by django-axes on this request
                cool_off = get_cool_off(request)
                raise exceptions.Throttled(
                    wait=cool_off.total_seconds() if cool_off else None,
                    detail=_("Too many failed login attempts; try again later."),
                    code="locked_out",
                )
            raise exceptions.ValidationError(serializer.errors)
        token = api_token_for(user=serializer.validated_data["user"])
        expires_at = serializers.DateTimeField().to_representation(token_expires_at(token))
        return Response({"token": token.key, "expires_at": expires_at})


class LogoutApi(APIView):
    """Revoke the caller's API token (every client holding it must obtain a new one)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        api_tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
