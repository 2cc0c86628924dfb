"""The public API (``/api/v1/public/``): the progress lookup, no sign-in needed."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError

from .serializers import PublicErrorSerializer, TrackAnswerSerializer, TrackQuery
from .services import public_track_lookup
from .throttling import client_ip


def not_found_message() -> str:
    return _("No complaint matches this tracking number and phone number. Check both and try again.")


class PublicTrackApi(APIView):
    """How a complaint stands, for its customer: the tracking number and the last four digits of
    the contact phone. A wrong pair and a missing order answer the same 404 ``not_found``; too many
    lookups from one address, or too many failed ones of one tracking number, answer 429
    ``throttled`` with ``Retry-After``. Every answer is logged (``PublicRequest``)."""

    authentication_classes: list = []  # no session, no token: nothing to sign in with
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_track",
        parameters=[TrackQuery],
        responses={
            200: TrackAnswerSerializer,
            400: PublicErrorSerializer,
            404: PublicErrorSerializer,
            429: PublicErrorSerializer,
        },
        auth=[],
        tags=["public"],
    )
    def get(self, request):
        query = TrackQuery(data=request.query_params)
        valid = query.is_valid()
        answer = public_track_lookup(
            ip=client_ip(request),
            tracking_no=request.query_params.get("tracking_no", ""),
            phone_last4=request.query_params.get("phone_last4", ""),
            via="api",
            errors=None if valid else dict(query.errors),
        )
        if answer.outcome == "throttled":
            seconds = answer.retry_after
            raise exceptions.Throttled(
                wait=seconds,
                detail=_("Too many lookups. Please try again in %(seconds)d seconds.") % {"seconds": seconds},
            )
        if answer.outcome == "invalid":
            raise exceptions.ValidationError(query.errors)
        if answer.outcome == "not_found":
            raise DomainError(not_found_message(), code="not_found")
        return Response(TrackAnswerSerializer(answer.progress).data)
