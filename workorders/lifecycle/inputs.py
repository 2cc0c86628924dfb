"""The input of each lifecycle action: a small serializer per action, shared by API and pages.

``version`` is not here: the API requires it separately, and the lifecycle checks it.
"""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
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


class Text(serializers.CharField):
    """A text field whose errors are plain words: what to fill in, and how long it is when too long
    ("At most 10000 characters; this has 10500"). ``max_length`` stays in the schema."""

    def __init__(self, *, missing: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        if missing is not None:
            self.error_messages["required"] = self.error_messages["blank"] = missing

    def run_validators(self, value: str) -> None:
        if self.max_length is not None and len(value) > self.max_length:
            raise serializers.ValidationError(
                _("At most %(max)d characters; this has %(count)d.")
                % {"max": self.max_length, "count": len(value)},
                code="max_length",
            )
        super().run_validators(value)


def choose(message: str) -> dict:
    """Error messages of a field the user picks from: a missing or unknown value says what to pick."""
    return {
        "required": message,
        "null": message,
        "invalid_choice": message,
        "invalid": message,
        "blank": message,
    }


class NoInput(serializers.Serializer):
    pass


class CommentInput(serializers.Serializer):
    comment = Text(required=False, allow_blank=True, max_length=2000, default="")


class RequiredCommentInput(serializers.Serializer):
    comment = Text(max_length=2000, missing=_("Write a comment."))


class InternalUrgeInput(serializers.Serializer):
    # 内部催办: what the centre asks the department to hurry (required: it is sent to them).
    comment = Text(max_length=2000, missing=_("Write what the department must hurry."))


class EscalateInput(serializers.Serializer):
    # design.md: ``comment`` (required: the reason)
    comment = Text(max_length=2000, missing=_("Give the reason for raising the level."))


class ReasonInput(serializers.Serializer):
    reason = Text(max_length=2000, missing=_("Give the reason."))


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
    # 协办 (design.md, second stage): the assisting departments, each giving its part.
    assisting_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True).exclude(kind=Department.Kind.COMPANY),
        many=True,
        required=False,
    )


class PlatformReplyInput(serializers.Serializer):
    reply = Text(max_length=4000, missing=_("Write the reply sent to the platform."))


class PlatformEvaluationInput(serializers.Serializer):
    evaluation = serializers.ChoiceField(
        choices=CALLBACK_SATISFACTION_CHOICES,
        error_messages=choose(_("Choose the platform's evaluation.")),
    )
    comment = Text(required=False, allow_blank=True, max_length=2000, default="")


class AssistInput(serializers.Serializer):
    opinion = Text(max_length=4000, missing=_("Write the assisting department's opinion."))


class DepartmentReasonInput(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True).exclude(kind=Department.Kind.COMPANY),
        error_messages={"required": _("Choose the department."), "null": _("Choose the department.")},
    )
    reason = Text(max_length=2000, missing=_("Give the reason."))


class ContactInput(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=ContactMethod.choices, error_messages=choose(_("Choose how the customer was contacted."))
    )
    comment = Text(required=False, allow_blank=True, max_length=2000, default="")


class ReplyInput(serializers.Serializer):
    cause = Text(max_length=4000, missing=_("Describe the cause."))
    truthfulness = serializers.ChoiceField(
        choices=Truthfulness.choices, error_messages=choose(_("Choose whether the complaint is true."))
    )
    measures = Text(max_length=4000, missing=_("Describe the measures taken."))
    reply = Text(max_length=4000, missing=_("Write the reply to the customer."))
    responsible_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    responsible_person = Text(required=False, allow_blank=True, max_length=60, default="")

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
    reached = serializers.BooleanField(error_messages=choose(_("Choose whether the customer was reached.")))
    satisfaction = serializers.ChoiceField(
        choices=CALLBACK_SATISFACTION_CHOICES,
        required=False,
        allow_null=True,
        error_messages=choose(_("Record the customer's satisfaction.")),
    )
    dissatisfaction_reason = serializers.ChoiceField(
        choices=DissatisfactionReason.choices,
        required=False,
        allow_null=True,
        allow_blank=True,
        error_messages=choose(_("Choose why the customer is unsatisfied.")),
    )
    comment = Text(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, data: dict) -> dict:
        if data["reached"] and not data.get("satisfaction"):
            raise serializers.ValidationError({"satisfaction": [_("Record the customer's satisfaction.")]})
        # domain.md §8.3: an unsatisfied customer's reason decides whether the order is reopened.
        if (
            data["reached"]
            and data.get("satisfaction") == Satisfaction.UNSATISFIED
            and not data.get("dissatisfaction_reason")
        ):
            raise serializers.ValidationError(
                {"dissatisfaction_reason": [_("Choose why the customer is unsatisfied.")]}
            )
        if not data["reached"]:
            data["satisfaction"] = None
            data["dissatisfaction_reason"] = ""
        if data.get("satisfaction") != Satisfaction.UNSATISFIED:
            data["dissatisfaction_reason"] = ""
        return data


class DecideCallbackInput(serializers.Serializer):
    reopen = serializers.BooleanField(error_messages=choose(_("Choose whether to reopen the order.")))
    comment = Text(max_length=2000, missing=_("Write a comment."))


class ExtensionInput(serializers.Serializer):
    requested_due_at = serializers.DateTimeField(
        error_messages={"required": _("Choose the new due time."), "invalid": _("Choose the new due time.")}
    )
    reason = Text(max_length=2000, missing=_("Give the reason."))
    basis = Text(max_length=2000, missing=_("Give the basis."))  # domain.md: the reason and its basis, both

    def validate_requested_due_at(self, value: datetime) -> datetime:
        if value <= timezone.now():
            raise serializers.ValidationError(_("The new due time must be in the future."))
        return value


class SuperviseInput(serializers.Serializer):
    """督办 (design.md, second stage): what the department must do, and by when it must answer
    (left out: ``settings.SUPERVISION_FEEDBACK_LIMIT`` from now)."""

    requirements = Text(max_length=2000, missing=_("Write what the department must do."))
    due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": _("Choose when the department must answer.")},
    )

    def validate_due_at(self, value: datetime | None) -> datetime | None:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("The answer's due time must be in the future."))
        return value


class SuspendInput(serializers.Serializer):
    """挂起: why the order cannot go on now, and when the handler expects to resume (optional)."""

    reason = Text(max_length=2000, missing=_("Give the reason for suspending the order."))
    until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": _("Choose when you expect to resume.")},
    )

    def validate_until(self, value: datetime | None) -> datetime | None:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("The expected resume time must be in the future."))
        return value


class DecideSuspendInput(serializers.Serializer):
    approved = serializers.BooleanField(error_messages=choose(_("Choose whether to approve the suspension.")))
    comment = Text(required=False, allow_blank=True, max_length=2000, default="")


class AnswerSupervisionInput(serializers.Serializer):
    comment = Text(max_length=2000, missing=_("Write what the department has done."))


class DecideExtensionInput(serializers.Serializer):
    approve = serializers.BooleanField(error_messages=choose(_("Choose whether to approve the extension.")))
    comment = Text(required=False, allow_blank=True, max_length=2000, default="")
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
