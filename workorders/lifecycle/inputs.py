"""The input of each lifecycle action: a small serializer per action, shared by API and pages.

``version`` is not here: the API requires it separately, and the lifecycle checks it.
"""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Department, User
from complaints.models import Category, Channel
from complaints.validators import validate_leaf_category

from ..models import (
    CALLBACK_SATISFACTION_CHOICES,
    ContactMethod,
    DissatisfactionReason,
    Level,
    Satisfaction,
    Truthfulness,
)

# Findings that hold someone responsible: the reply names the responsible department.
TRUTHFUL = (Truthfulness.TRUE, Truthfulness.PARTLY_TRUE)


class NoInput(serializers.Serializer):
    pass


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RequiredCommentInput(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ClassifyInput(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True))
    level = serializers.ChoiceField(choices=Level.choices)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)

    def validate_category(self, category: Category) -> Category:
        validate_leaf_category(category)
        return category


class MergeInput(serializers.Serializer):
    into = serializers.IntegerField(min_value=1)


class AssignInput(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True).exclude(kind=Department.Kind.COMPANY)
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )


class ContactInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReplyInput(serializers.Serializer):
    cause = serializers.CharField(max_length=4000)
    truthfulness = serializers.ChoiceField(choices=Truthfulness.choices)
    measures = serializers.CharField(max_length=4000)
    reply = serializers.CharField(max_length=4000)
    responsible_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    responsible_person = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")

    def validate(self, data: dict) -> dict:
        # domain.md §7: a complaint found true or partly true names the department responsible.
        if data["truthfulness"] in TRUTHFUL and not data.get("responsible_department"):
            raise serializers.ValidationError(
                {
                    "responsible_department": [
                        _("Name the responsible department: the complaint was found true or partly true.")
                    ]
                }
            )
        return data


class CallbackInput(serializers.Serializer):
    reached = serializers.BooleanField()
    satisfaction = serializers.ChoiceField(
        choices=CALLBACK_SATISFACTION_CHOICES,
        required=False,
        allow_null=True,
    )
    dissatisfaction_reason = serializers.ChoiceField(
        choices=DissatisfactionReason.choices,
        required=False,
        allow_null=True,
        allow_blank=True,
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, data: dict) -> dict:
        if data["reached"] and not data.get("satisfaction"):
            raise serializers.ValidationError({"satisfaction": [_("Record the customer's satisfaction.")]})
        if not data["reached"]:
            data["satisfaction"] = None
            data["dissatisfaction_reason"] = ""
        if data.get("satisfaction") != Satisfaction.UNSATISFIED:
            data["dissatisfaction_reason"] = ""
        return data


class DecideCallbackInput(serializers.Serializer):
    reopen = serializers.BooleanField()
    comment = serializers.CharField(max_length=2000)


class ExtensionInput(serializers.Serializer):
    requested_due_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=2000)
    basis = serializers.CharField(max_length=2000)  # domain.md: the reason and its basis, both

    def validate_requested_due_at(self, value: datetime) -> datetime:
        if value <= timezone.now():
            raise serializers.ValidationError(_("The new due time must be in the future."))
        return value


class DecideExtensionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    # Approving a due time after the channel's regulatory limit must be confirmed explicitly.
    beyond_regulatory = serializers.BooleanField(required=False, default=False)


class AttachInput(serializers.Serializer):
    file = serializers.FileField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")

    def validate_file(self, upload: UploadedFile) -> UploadedFile:
        ext = Path(upload.name).suffix.lower().lstrip(".")
        if ext not in settings.ATTACHMENT_EXTENSIONS:
            raise serializers.ValidationError(
                _("Files of type .%(ext)s are not accepted. Allowed: %(allowed)s.")
                % {"ext": ext or "?", "allowed": ", ".join(settings.ATTACHMENT_EXTENSIONS)}
            )
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise serializers.ValidationError(
                _("The file is too large (%(size).1f MB); the limit is %(limit).0f MB.")
                % {"size": upload.size / 1048576, "limit": settings.ATTACHMENT_MAX_BYTES / 1048576}
            )
        return upload
