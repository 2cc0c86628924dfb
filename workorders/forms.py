"""Page forms for lifecycle actions, built from the action input serializers (lifecycle/inputs.py).

The page renders each field of ``ACTIONS[code].input`` and posts it unchanged to
``lifecycle.perform``, so the page and the API validate with the very same serializer. Only the
choices shown are narrowed to what the user may pick (departments in scope, handlers).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_covered_departments

# Labels of the input fields (the serializers carry none).
LABELS = {
    "comment": _("Comment"),
    "reason": _("Reason"),
    "category": _("Category"),
    "level": _("Level"),
    "channel": _("Channel"),
    "into": _("Merge into (order id)"),
    "department": _("Department"),
    "assignee": _("Handler (optional)"),
    "method": _("Contact method"),
    "cause": _("Cause"),
    "truthfulness": _("Truthfulness"),
    "measures": _("Measures taken"),
    "reply": _("Reply to the customer"),
    "responsible_department": _("Responsible department"),
    "responsible_person": _("Responsible person"),
    "reached": _("Customer reached"),
    "satisfaction": _("Satisfaction"),
    "dissatisfaction_reason": _("Reason for dissatisfaction"),
    "reopen": _("Reopen the order"),
    "requested_due_at": _("New due time"),
    "basis": _("Basis"),
    "approve": _("Approve the request"),
    "beyond_regulatory": _("I confirm approving a due time beyond the channel's regulatory limit"),
    "file": _("File"),
    "requirements": _("Requirements"),
    "due_at": _("Answer due by (optional)"),
    "until": _("Expected to resume (optional)"),
    "assisting_departments": _("Assisting departments (协办, optional)"),
    "opinion": _("Opinion of the assisting department"),
    "evaluation": _("The platform's evaluation"),
    "approved": _("Approve"),
}
# Where one action's field means something else than the usual label says.
ACTION_LABELS = {
    ("escalate", "comment"): _("Reason for raising the level"),
    ("reject", "reason"): _("Reason for rejecting the reply"),
    ("return", "reason"): _("Reason for returning the order"),
    ("answer_supervision", "comment"): _("What the department has done"),
    ("suspend", "reason"): _("Why the order cannot go on now"),
    ("terminate", "reason"): _("Why the service is terminated"),
    ("transfer", "reason"): _("Why another department should handle it"),
    ("waive_assist", "reason"): _("Why the lead may reply without this part"),
    ("transfer", "department"): _("Transfer to"),
    ("platform_reply", "reply"): _("Text of the reply to the platform"),
}
TEXTAREAS = {"comment", "reason", "cause", "measures", "reply", "basis", "requirements", "opinion"}


@dataclass
class FieldSpec:
    name: str
    label: str
    widget: str  # text, textarea, select, bool, datetime, file, number, category
    required: bool
    choices: list = field(default_factory=list)
    value: object = ""
    errors: list = field(default_factory=list)
    help: str = ""
    max_length: int | None = None  # long text fields show a character counter

    @property
    def id(self):
        return self.name


def _department_choices(user):
    qs = user_covered_departments(user).filter(is_active=True).exclude(kind=Department.Kind.COMPANY)
    return [(str(d.pk), "　" * max(d.depth - 1, 0) + d.name) for d in qs.order_by("path")]


def _handler_choices(user):
    covered = user_covered_departments(user).values("pk")
    qs = (
        User.objects.filter(is_active=True, groups__name=Role.HANDLER, department__in=covered)
        .select_related("department")
        .order_by("department__path", "username")
    )
    return [(str(u.pk), f"{u} · {u.department}") for u in qs]


def action_fields(action, user, *, data=None, errors=None, initial=None) -> list[FieldSpec]:
    """The fields of one action's form, with the submitted values (else ``initial``) and errors kept."""
    errors = errors or {}
    data = data if data is not None else (initial or {})
    specs = []
    for name, fld in action.input().get_fields().items():
        spec = FieldSpec(
            name=name,
            label=ACTION_LABELS.get((action.code, name)) or LABELS.get(name, name),
            widget="text",
            required=fld.required,
            value=str(data.get(name) or ""),
            errors=[str(e) for e in errors.get(name, [])],
        )
        if name == "category":
            spec.widget = "category"
        elif isinstance(fld, serializers.BooleanField):
            spec.widget = "bool"
            spec.required = True
        elif isinstance(fld, serializers.FileField):
            spec.widget = "file"
        elif isinstance(fld, serializers.DateTimeField):
            spec.widget = "datetime"
        elif isinstance(fld, serializers.IntegerField):
            spec.widget = "number"
        elif isinstance(fld, serializers.ChoiceField):
            spec.widget = "select"
            spec.choices = [(str(k), str(v)) for k, v in fld.choices.items()]
        elif isinstance(fld, serializers.ManyRelatedField):
            spec.widget = "multiselect"
            spec.choices = _department_choices(user)
            values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
            spec.value = [str(v) for v in values]
        elif isinstance(fld, serializers.PrimaryKeyRelatedField):
            spec.widget = "select"
            spec.choices = _handler_choices(user) if name == "assignee" else _department_choices(user)
        elif name in TEXTAREAS:
            spec.widget = "textarea"
            spec.max_length = getattr(fld, "max_length", None)
        if name == "file":
            spec.help = _("Allowed: %(types)s; at most %(mb)d MB.") % {
                "types": ", ".join(settings.ATTACHMENT_EXTENSIONS),
                "mb": settings.ATTACHMENT_MAX_BYTES // 1048576,
            }
        specs.append(spec)
    return specs


def form_data(action, post, files) -> dict:
    """What the page posts, in the shape the input serializer takes (blank optionals dropped)."""
    data = {}
    for name, fld in action.input().get_fields().items():
        if isinstance(fld, serializers.FileField):
            if name in files:
                data[name] = files[name]
            continue
        if isinstance(fld, serializers.ManyRelatedField):
            values = [v for v in post.getlist(name) if v]
            if values:
                data[name] = values
            continue
        value = post.get(name, "")
        if value == "" and not fld.required:
            continue
        data[name] = value
    return data
