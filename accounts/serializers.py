from rest_framework import serializers

from .models import Department, User


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "kind", "parent", "depth", "is_active", "customer_count"]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    department = DepartmentSerializer(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "display_name", "email", "phone", "roles", "department"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles)
