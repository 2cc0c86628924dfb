"""Validators shared by every app."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
    _(
        "Enter an 11-digit mobile number (e.g. 13812345678) "
        "or a landline with area code (e.g. 0571-87654321)."
    ),
    code="invalid_phone",
)
