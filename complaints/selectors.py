"""Reads of the complaints app."""

from .models import Category


def category_tree() -> list[dict]:
    """The active categories, flat and in tree order, for the pages' category pickers."""
    return [
        {"id": c.pk, "code": c.code, "name": c.display_name, "parent": c.parent_id, "level": c.level}
        for c in Category.objects.filter(is_active=True).order_by("code")
    ]
