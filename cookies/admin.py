"""Read-only consent records with filters and CSV export; cookie lifetimes beside the package's admin."""

import re

from cookie_consent.admin import CookieAdmin, CookieGroupAdmin
from cookie_consent.models import Cookie, CookieGroup
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import export
from .models import CONSENT_MODE_TYPES, ConsentModeMapping, ConsentRecord, ConsentRule, CookieDetail
from .selectors import catalogue


class JurisdictionFilter(admin.SimpleListFilter):
    title = _("jurisdiction shown")
    parameter_name = "jurisdiction"

    def lookups(self, request, model_admin):
        from notices.models import Jurisdiction

        return [(j.code, j.name) for j in Jurisdiction.objects.all()]

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        return queryset.filter(
            Q(jurisdictions=code)
            | Q(jurisdictions__startswith=f"{code},")
            | Q(jurisdictions__endswith=f",{code}")
            | Q(jurisdictions__contains=f",{code},")
        )


class AcceptedGroupFilter(admin.SimpleListFilter):
    title = _("accepted category")
    parameter_name = "accepted"

    def lookups(self, request, model_admin):
        return [(g.varname, g.name) for g in catalogue().optional]

    def queryset(self, request, queryset):
        name = self.value()
        if not name or name not in catalogue().optional_names:
            return queryset
        return queryset.filter(**{f"groups__{name}__accepted": True})


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "consent_id",
        "source",
        "decision",
        "accepted_groups",
        "jurisdictions",
        "gpc",
        "policy_version",
    )
    list_filter = (
        ("created_at", admin.DateFieldListFilter),
        JurisdictionFilter,
        "decision",
        AcceptedGroupFilter,
        "source",
        "gpc",
        "consent_model",
    )
    date_hierarchy = "created_at"
    search_fields = ("=consent_id",)
    search_help_text = _("Search by consent id (all 32 characters).")
    actions = ("export_csv",)
    list_per_page = 50
    change_list_template = "admin/cookies/consentrecord/change_list.html"
    show_full_result_count = False  # counting millions of rows on every page view is slow

    def get_urls(self):
        from django.urls import path

        from .dashboard_views import dashboard_view

        def view(request):
            if not self.has_view_permission(request):
                raise PermissionDenied
            return dashboard_view(request, self.admin_site)

        return [
            path("dashboard/", self.admin_site.admin_view(view), name="cookies_consentrecord_dashboard"),
            *super().get_urls(),
        ]

    def get_search_results(self, request, queryset, search_term):
        # Accept an id pasted with spaces, dashes or capitals.
        term = re.sub(r"[^0-9a-fA-F]", "", search_term).lower()
        return super().get_search_results(request, queryset, term if term else search_term)

    @admin.display(description=_("accepted"))
    def accepted_groups(self, obj):
        return ", ".join(obj.accepted) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Export selected records as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(export.lines(queryset), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="consent-records-{stamp}.csv"'
        return response


class CookieDetailInline(admin.StackedInline):
    model = CookieDetail
    can_delete = False
    extra = 1
    max_num = 1


admin.site.unregister(Cookie)


@admin.register(Cookie)
class CookieWithDetailAdmin(CookieAdmin):
    inlines = [CookieDetailInline]


class ConsentModeMappingForm(forms.ModelForm):
    consent_types = forms.MultipleChoiceField(
        label=_("Consent Mode types"),
        choices=CONSENT_MODE_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Granted while this group may run, else denied; a type no group grants stays denied."),
    )

    class Meta:
        model = ConsentModeMapping
        fields = ("consent_types",)


class ConsentModeMappingInline(admin.StackedInline):
    model = ConsentModeMapping
    form = ConsentModeMappingForm
    can_delete = False
    extra = 1
    max_num = 1


admin.site.unregister(CookieGroup)


@admin.register(CookieGroup)
class CookieGroupWithConsentModeAdmin(CookieGroupAdmin):
    inlines = [ConsentModeMappingInline]


@admin.register(ConsentRule)
class ConsentRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "consent_model", "show_link", "link_label", "honour_gpc", "places_short")
    list_filter = ("consent_model", "show_link", "honour_gpc")
    search_fields = ("code", "name", "places")
    list_editable = ()
    ordering = ("ordering", "code")

    @admin.display(description=_("places"))
    def places_short(self, obj):
        codes = obj.place_codes
        if not codes:
            return _("Everywhere else")
        return ", ".join(codes[:6]) + (" …" if len(codes) > 6 else "")
