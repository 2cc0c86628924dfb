"""The password backend: Django's, loading the user's department with the user (every page's scope
and header read it: one query less per request)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class DepartmentModelBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("department").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
