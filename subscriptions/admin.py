from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import HistoryInline

from . import services
from .models import Campaign, Delivery, Subscriber, SubscriptionEvent


class SubscriptionEventInline(HistoryInline):
    """Every confirmation and unsubscribe of the address: the proof of when it agreed."""

    model = SubscriptionEvent
    fields = readonly_fields = ("at", "kind", "via", "language")

    def has_view_permission(self, request, obj=None):
        # The events have no permissions of their own: whoever may see the subscriber sees them.
        return True


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "language", "status", "confirmed_at", "unsubscribed_at")
    list_filter = ("status", "language")
    search_fields = ("email_key",)
    # The language too: it is the one the address confirmed with (its history says so), and
    # only the owner changes it, by confirming again. Staff unsubscribe; they edit nothing.
    readonly_fields = ("email", "language", "status", "confirmed_at", "unsubscribed_at", "created_at")
    fields = ("email", "language", "status", "confirmed_at", "unsubscribed_at", "created_at")
    actions = ["unsubscribe"]
    inlines = [SubscriptionEventInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # only the address's owner subscribes it (double opt-in)

    def has_delete_permission(self, request, obj=None):
        # Deleting would take the subscriber's deliveries with it, the record of who was told
        # and when (campaigns and deliveries refuse deletion for that reason). Unsubscribe here;
        # an address is erased through a deletion request, which records what it erased.
        return False

    def get_search_results(self, request, queryset, search_term):
        # Addresses are matched on their case-folded key.
        return super().get_search_results(request, queryset, search_term.casefold())

    @admin.action(description=_("Unsubscribe the selected subscribers"), permissions=["change"])
    def unsubscribe(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            services.subscriber_unsubscribe(subscriber_id=pk, via=SubscriptionEvent.Via.ADMIN)
        self.message_user(request, ngettext("%d unsubscribed.", "%d unsubscribed.", len(ids)) % len(ids))


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "status",
        "progress",
        "sent",
        "pending",
        "failed",
        "cancelled",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    readonly_fields = (
        "version",
        "kind",
        "status",
        "populated_at",
        "created_at",
        "started_at",
        "finished_at",
        "counts",
    )
    fields = readonly_fields
    actions = ["retry_failed", "resume"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version").with_counts()

    def has_add_permission(self, request):
        return False  # publishing a material version creates its campaign

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who was told, and when, is kept

    @admin.display(description=_("progress"))
    def progress(self, obj):
        total = obj.total_count
        done = obj.sent_count + obj.failed_count + obj.cancelled_count
        percent = int(100 * done / total) if total else (100 if obj.status == Campaign.Status.DONE else 0)
        return format_html('<progress max="100" value="{}">{}%</progress> {}%', percent, percent, percent)

    def _deliveries_link(self, obj, status, count):
        url = (
            reverse("admin:subscriptions_delivery_changelist") + f"?campaign__id__exact={obj.pk}&status__exact={status}"
        )
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.display(description=_("sent"))
    def sent(self, obj):
        return self._deliveries_link(obj, Delivery.Status.SENT, obj.sent_count)

    @admin.display(description=_("pending"))
    def pending(self, obj):
        return self._deliveries_link(obj, Delivery.Status.PENDING, obj.pending_count + obj.sending_count)

    @admin.display(description=_("failed"))
    def failed(self, obj):
        return self._deliveries_link(obj, Delivery.Status.FAILED, obj.failed_count)

    @admin.display(description=_("unsubscribed before sending"))
    def cancelled(self, obj):
        return obj.cancelled_count

    @admin.display(description=_("deliveries"))
    def counts(self, obj):
        return ", ".join(f"{label}: {getattr(obj, f'{value}_count')}" for value, label in Delivery.Status.choices)

    @admin.action(description=_("Retry failed deliveries"), permissions=["change"])
    def retry_failed(self, request, queryset):
        total = sum(services.campaign_retry_failed(campaign=campaign) for campaign in queryset)
        self.message_user(request, ngettext("%d delivery queued again.", "%d deliveries queued again.", total) % total)

    @admin.action(description=_("Resume sending (after lost workers)"), permissions=["change"])
    def resume(self, request, queryset):
        for campaign in queryset.unfinished():
            services.campaign_resume(campaign=campaign)
        self.message_user(request, _("Queued again. Nothing already sent is sent twice."), messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("subscriber", "campaign", "status", "attempts", "interrupted", "last_error", "sent_at")
    list_filter = ("status", "campaign")
    search_fields = ("subscriber__email_key",)
    list_select_related = ("subscriber", "campaign__version")
    readonly_fields = [field.name for field in Delivery._meta.fields if field.editable] + ["updated_at"]
    actions = ["retry"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.casefold())

    @admin.action(description=_("Retry the selected failed deliveries"), permissions=["change"])
    def retry(self, request, queryset):
        total = 0
        for campaign in Campaign.objects.filter(deliveries__in=queryset).distinct():
            total += services.campaign_retry_failed(campaign=campaign, deliveries=queryset)
        self.message_user(request, ngettext("%d delivery queued again.", "%d deliveries queued again.", total) % total)
