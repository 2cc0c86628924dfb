"""The intake form of the agent workbench; it mirrors ``serializers.ComplaintInput``.

With ``draft=True`` (保存草稿) every field that only the submit needs is optional: what a draft
must hold (the caller's phone or name, and some content) is the intake service's rule
(``workorders.intake.services.check_draftable``), reported on the fields. A draft can be edited
with this form (prefilled) and submitted from there, where the full rules apply again.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.validators import phone_validator

from .models import Category, Channel, account_validator, normalize_phone
from .validators import (
    CONTACT_PHONE_REQUIRED,
    contact_phone_missing,
    validate_leaf_category,
    validate_received_at,
)


class IntakeForm(forms.Form):
    phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    account_no = forms.CharField(
        label=_("Account number"), max_length=10, required=False, validators=[account_validator]
    )
    customer_name = forms.CharField(label=_("Complainant"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=255)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE_95598)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    content = forms.CharField(label=_("Complaint content"), max_length=10000, widget=forms.Textarea)
    demand = forms.CharField(label=_("Customer's demand"), max_length=4000, widget=forms.Textarea)
    is_anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    upgrade_tendency = forms.BooleanField(
        label=_("Upgrade tendency (threatens media, 12398, 12345 or a lawsuit)"), required=False
    )
    sms_opt_out = forms.BooleanField(label=_("No SMS to the customer"), required=False)
    external_ref = forms.CharField(label=_("External reference (12398/12345)"), max_length=40, required=False)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    # Needed to submit, not to save a draft.
    SUBMIT_ONLY = ("address", "content", "demand")

    def __init__(self, *args, user=None, draft=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # who takes the complaint in: bounds how far back ``received_at`` may go
        self.draft = draft
        if draft:
            for name in self.SUBMIT_ONLY:
                self.fields[name].required = False

    def clean_phone(self):
        value = normalize_phone(self.cleaned_data.get("phone", ""))
        if value:
            phone_validator(value)
        return value

    def clean_category(self):
        category = self.cleaned_data.get("category")
        validate_leaf_category(category)
        return category

    def clean(self):
        data = super().clean()
        missing = contact_phone_missing(is_anonymous=data.get("is_anonymous"), phone=data.get("phone"))
        if missing and not self.draft and "phone" not in self.errors:
            self.add_error("phone", CONTACT_PHONE_REQUIRED)
        try:
            validate_received_at(data.get("received_at"), channel=data.get("channel"), user=self.user)
        except ValidationError as exc:
            self.add_error("received_at", exc)
        return data
