"""What a complaint must hold, asked by every writer: the API input, the intake page's form, the
intake service and the ``submit`` action. Each rule is written here once.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CONTACT_PHONE_REQUIRED = _("A contact phone is required unless the complaint is anonymous.")
LEAF_CATEGORY_REQUIRED = _("Choose a category of the lowest level (e.g. 040101 低电压).")


def contact_phone_missing(*, is_anonymous: bool, phone: str) -> bool:
    """A complaint needs a phone to call the customer back, unless the customer stays anonymous."""
    return not is_anonymous and not phone


def validate_leaf_category(category) -> None:
    """Orders are filed under a leaf of the category tree (domain.md §6); no category passes."""
    if category is not None and not category.is_leaf:
        raise ValidationError(LEAF_CATEGORY_REQUIRED, code="invalid")
