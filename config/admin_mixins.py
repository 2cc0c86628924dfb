"""Admin building blocks shared by the apps."""


class ReadOnlyAdminMixin:
    """Rows that only the system writes (audit events, assignments, keys): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
