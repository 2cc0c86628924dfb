from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import user_covered_departments
from .serializers import DepartmentSerializer, MeSerializer


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
    """`{username, password}` → `{token}`; failed attempts count toward the login throttle."""
