from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import Department, DutyAssignment, Open311Client, User
from .services import duty_fill


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


class DutyWeekForm(forms.Form):
    """Fill a week (or any run of days) of the roster at once: one department, one or more people."""

    department = forms.ModelChoiceField(Department.objects.filter(is_active=True), label=_("Department"))
    people = forms.ModelMultipleChoiceField(
        User.objects.filter(is_active=True).order_by("username"),
        label=_("People on duty"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}), initial=date.today
    )
    days = forms.IntegerField(label=_("Number of days"), min_value=1, max_value=62, initial=7)
    replace = forms.BooleanField(
        label=_("Replace who is on the roster for these days"),
        required=False,
        help_text=_("Otherwise the people are added beside those already on duty."),
    )


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "department", "user", "note"]
    list_filter = ["department", ("date", admin.DateFieldListFilter)]
    search_fields = ["user__username", "user__display_name", "department__name"]
    autocomplete_fields = ["department", "user"]
    date_hierarchy = "date"
    ordering = ["-date", "department__path"]
    change_list_template = "admin/accounts/dutyassignment/change_list.html"

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj):
        return date_format(obj.date, "l")

    def get_urls(self):
        view = self.admin_site.admin_view(self.fill_view)
        return [path("fill/", view, name="accounts_dutyassignment_fill"), *super().get_urls()]

    def fill_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DutyWeekForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            created = duty_fill(**form.cleaned_data)
            self.message_user(
                request,
                _("%(count)d duty assignments saved from %(first)s for %(days)d days.")
                % {
                    "count": created,
                    "first": form.cleaned_data["first_day"],
                    "days": form.cleaned_data["days"],
                },
                messages.SUCCESS,
            )
            return redirect("admin:accounts_dutyassignment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Fill the duty roster"),
        }
        return TemplateResponse(request, "admin/accounts/dutyassignment/fill.html", context)


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """City platforms of the Open311 API (complaints/open311/). The key is shown once: on the page
    that follows the creation, or after "Issue a new key"; only its fingerprint is stored."""

    list_display = ["name", "channel", "company", "key_prefix", "is_active", "created_at"]
    list_filter = ["channel", "is_active"]
    search_fields = ["name"]
    fields = ["name", "channel", "company", "is_active", "key_prefix", "user", "created_at"]
    readonly_fields = ["key_prefix", "user", "created_at"]
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        if not change:
            request._open311_key = obj.issue_key()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(request, "_open311_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        return self.key_page(request, obj, key)

    @admin.action(description=_("Issue a new key (the old one stops working)"), permissions=["change"])
    def issue_new_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one client to issue a key for."), messages.ERROR)
            return None
        obj = queryset.get()
        key = obj.issue_key()
        obj.save(update_fields=["key_hash", "key_prefix"])
        return self.key_page(request, obj, key)

    def key_page(self, request, obj, key):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "key": key,
            "endpoint": request.build_absolute_uri("/open311/v2/"),
            "title": _("The API key of %(name)s") % {"name": obj.name},
        }
        response = TemplateResponse(request, "admin/accounts/open311client/key.html", context)
        response["Cache-Control"] = "no-store"
        return response
