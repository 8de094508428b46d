"""The organisation's one row (editors change it, nobody adds a second or deletes it), and
the task workers' heartbeats, for the people who would otherwise not know mail stopped."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from .models import Organisation, WorkerHeartbeat
from .worker import HEARTBEAT_SECONDS


class HistoryInline(admin.TabularInline):
    """A record's history, shown with it and never changed here (its rows are append-only)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Three missed beats: the worker is gone or stuck (a long task also stops the beat: the
# column says "not seen", and /healthz says whether the queue is actually waiting).
STALE_AFTER = timezone.timedelta(seconds=HEARTBEAT_SECONDS * 3)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "last_seen_at", "started_at", "tasks_run", "last_problem"]
    ordering = ["-last_seen_at"]

    @admin.display(description=_("state"))
    def state(self, heartbeat):
        if timezone.now() - heartbeat.last_seen_at <= STALE_AFTER:
            return _("running")
        return _("not seen since %(time)s") % {"time": timezone.localtime(heartbeat.last_seen_at).strftime("%H:%M:%S")}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # forgetting a worker that is gone for good


@admin.register(Organisation)
class OrganisationAdmin(TabbedTranslationAdmin):
    fields = ("name", "short_name", "postal_address", "dpo_name", "dpo_email", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return not Organisation.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False  # every email and page names it

    def changelist_view(self, request, extra_context=None):
        # A list of one row is a detour: open the row (or the form to create it).
        if Organisation.objects.filter(pk=1).exists():
            return redirect(reverse("admin:core_organisation_change", args=[1]))
        return redirect(reverse("admin:core_organisation_add"))
