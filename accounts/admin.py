from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "kind", "is_active", "customer_count"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    filter_horizontal = ["leaders"]
    autocomplete_fields = ["parent"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return "— " * obj.depth + obj.name


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "department", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff", "department"]
    search_fields = ["username", "display_name", "phone", "email"]
    autocomplete_fields = ["department"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Work"), {"fields": ("display_name", "phone", "department")}),)
