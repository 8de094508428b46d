"""The organisation's one row: editors change it, nobody adds a second or deletes it."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from modeltranslation.admin import TabbedTranslationAdmin

from .models import Organisation


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
