from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .channels import rule_channel_choices
from .models import (
    Delivery,
    DeliveryAttempt,
    Message,
    Notification,
    NotificationPreference,
    NotificationRule,
    NotificationSettings,
    NotificationTemplate,
    SurveyLink,
    WebhookSubscription,
)


class NotificationRuleForm(forms.ModelForm):
    """The rule's channels as one checkbox per registered channel (in the list and the form)."""

    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=rule_channel_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = NotificationRule
        fields = ["event_type", "recipients", "channels", "urgent", "mandatory", "is_active"]


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    form = NotificationRuleForm
    list_display = ["event_type", "recipients", "channels", "urgent", "mandatory", "is_active"]
    list_editable = ["channels", "urgent", "mandatory", "is_active"]
    list_filter = ["event_type", "recipients", "is_active"]

    def get_changelist_form(self, request, **kwargs):
        return NotificationRuleForm


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ["event_type", "channel", "language", "subject", "updated_at"]
    list_filter = ["channel", "language", "event_type"]
    search_fields = ["subject", "body"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "url", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    # The URL's host is resolved and checked on save (models.WebhookSubscription.url's validator).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempt", "ok", "detail", "duration_ms", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "channel",
        "address",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = ["state", "channel", "urgent"]
    search_fields = ["address", "subject"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Retry the selected deliveries now"))
    def retry(self, request, queryset):
        count = services.deliveries_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%d delivery queued again.", "%d deliveries queued again.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "event_type", "order", "created_at"]
    list_filter = ["event_type"]
    readonly_fields = ["uuid", "event_type", "order", "source_event", "dedupe_key", "data", "created_at"]
    raw_id_fields = ["order", "source_event"]


@admin.register(SurveyLink)
class SurveyLinkAdmin(admin.ModelAdmin):
    """The customers' survey links and their answers (issue 15): a record, read only."""

    list_display = ["id", "order", "created_at", "used_at", "satisfaction", "recorded_as"]
    list_filter = ["satisfaction", "recorded_as"]
    list_select_related = ["order"]
    search_fields = ["order__tracking_no"]
    raw_id_fields = ["order"]
    readonly_fields = [
        "order",
        "approved_at",
        "created_at",
        "used_at",
        "satisfaction",
        "dissatisfaction_reason",
        "comment",
        "recorded_as",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "event_type", "created_at", "read_at"]
    list_filter = ["event_type"]
    search_fields = ["title", "user__username"]
    raw_id_fields = ["user", "message", "order"]


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "quiet_start", "quiet_end", "language"]
    raw_id_fields = ["user"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "event_type", "channel", "enabled"]
    list_filter = ["channel", "event_type"]
    raw_id_fields = ["user"]
