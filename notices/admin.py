"""The legal editors' workspace: drafts, preview, compare, publish; published is read-only."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline

from . import selectors, services
from .admin_translations import SectionTranslationsForm, TranslatorViews, translation_status_html
from .models import Jurisdiction, PolicyVersion, Section
from .redline import compare_versions
from .translation_status import translation_problems


@admin.register(Jurisdiction)
class JurisdictionAdmin(TabbedTranslationAdmin):
    list_display = ("code", "name", "countries", "subdivisions", "order")
    search_fields = ("code", "name", "countries", "subdivisions")


class SectionInline(TranslationStackedInline):
    model = Section
    form = SectionTranslationsForm
    extra = 0
    fields = ("order", "anchor", "jurisdiction", "translation_status", "heading", "body")
    readonly_fields = ("translation_status",)

    @admin.display(description=gettext_lazy("translations"))
    def translation_status(self, obj):
        return translation_status_html(obj)

    # A published version's sections are shown, never edited.
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_published)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(TranslatorViews, TabbedTranslationAdmin):
    list_display = ("effective_date", "status", "material", "copied_from", "published_at", "published_by")
    list_filter = ("status", "material")
    date_hierarchy = "effective_date"
    fields = (
        "effective_date",
        "material",
        "summary",
        "status",
        "copied_from",
        "published_at",
        "published_by",
        "source_sha256",
    )
    readonly_fields = ("status", "copied_from", "published_at", "published_by", "source_sha256")
    inlines = [SectionInline]
    actions = ["start_from_selected"]

    # --- published means read-only ---------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # A draft that later versions were copied from is kept (copied_from is RESTRICT).
            # The admin would also count those versions, published ones being undeletable, as
            # a missing permission and say deleting would take them along; list them as what
            # stops the deletion instead. Nothing is deleted either way.
            perms_needed = set()
        return deleted, counts, perms_needed, protected

    def save_model(self, request, obj, form, change):
        services.draft_ensure_editable(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        services.draft_ensure_editable(form.instance)
        super().save_formset(request, form, formset, change)
        self.record_translation_edits(request, formset)

    # --- extra screens ---------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("start-next/", wrap(self.start_next_view), name="notices_policyversion_start_next"),
            path("<int:pk>/preview/", wrap(self.preview_view), name="notices_policyversion_preview"),
            path("<int:pk>/compare/", wrap(self.compare_view), name="notices_policyversion_compare"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="notices_policyversion_publish"),
            *self.translation_urls(),
            *super().get_urls(),
        ]

    def _version(self, request, pk) -> PolicyVersion:
        version = get_object_or_404(PolicyVersion, pk=pk)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        return version

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm("notices.publish_policyversion"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=gettext_lazy("Start a new draft from the selected version"))
    def start_from_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version to start from."), messages.WARNING)
            return None
        return self._start(request, queryset.get())

    def start_next_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self._start(request, None)

    def _start(self, request, source):
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            draft = services.draft_start_next(source=source, user=request.user)
        except services.PolicyImportRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:notices_policyversion_changelist"))
        self.log_addition(request, draft, [{"added": {}}])
        self.message_user(
            request,
            _("A new draft was started from the version effective %(date)s. Edit it, preview it, then publish.")
            % {"date": draft.copied_from.effective_date.isoformat()},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:notices_policyversion_change", args=[draft.pk]))

    def preview_view(self, request, pk):
        """Show any version exactly as the public page would, in any language and region."""
        version = self._version(request, pk)
        codes = [c for c, _ in settings.LANGUAGES]
        language = request.GET.get("language") if request.GET.get("language") in codes else "en"
        choices = selectors.jurisdiction_choices()
        chosen = request.GET.get("jurisdiction", selectors.ALL)
        if chosen != selectors.ALL and chosen not in {c.code for c in choices}:
            chosen = selectors.ALL
        shown = tuple(c.code for c in choices) if chosen == selectors.ALL else (chosen,)
        with translation.override(language):
            names = {c.code: c.name for c in selectors.jurisdiction_choices()}
            context = {
                "document": selectors.render_document(version, language, shown),
                "jurisdictions": selectors.jurisdiction_choices(),
                "selected": chosen,
                "preview": {
                    "version": version,
                    "language": language,
                    "languages": settings.LANGUAGES,
                    "change_url": reverse("admin:notices_policyversion_change", args=[version.pk]),
                },
                "location_text": _("Preview as a visitor who chose %(region)s.")
                % {"region": names.get(chosen, _("all regions"))},
            }
            response = TemplateResponse(request, "notices/policy.html", context)
            response.render()
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def compare_view(self, request, pk):
        """The redline of a version against the one it was copied from (or the one in force)."""
        version = self._version(request, pk)
        base = version.copied_from or PolicyVersion.objects.in_force(on=selectors.legal_today()).with_text().first()
        if base is None or base.pk == version.pk:
            raise Http404(_("There is no earlier version to compare with."))
        changes = compare_versions(base, version)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("Changes from %(a)s to this draft") % {"a": base.effective_date.isoformat()},
            "base": base,
            "changes": changes,
            "changed": [c for c in changes if c.status != "unchanged"],
        }
        return TemplateResponse(request, "admin/notices/policyversion/compare.html", context)

    def publish_view(self, request, pk):
        version = self._version(request, pk)
        if not request.user.has_perm("notices.publish_policyversion"):
            raise PermissionDenied
        change_url = reverse("admin:notices_policyversion_change", args=[version.pk])
        fallbacks = translation_problems(version)
        if request.method == "POST":
            # Sections without a current translation are published to fall back to English:
            # the publisher says so, or waits for the translations.
            confirmed = request.POST.get("translations") == "fall-back-to-english"
            if fallbacks and not confirmed and not services.publish_problems(version):
                self.message_user(
                    request,
                    _("Confirm that the sections listed are shown in English, or wait for their translations."),
                    messages.ERROR,
                )
                return HttpResponseRedirect(reverse("admin:notices_policyversion_publish", args=[version.pk]))
            try:
                services.version_publish(version=version, user=request.user)
            except services.PublishRefused as refused:
                for problem in refused.problems:
                    self.message_user(request, problem, messages.ERROR)
                return HttpResponseRedirect(reverse("admin:notices_policyversion_publish", args=[version.pk]))
            self.log_change(request, version, _("Published, effective %(date)s.") % {"date": version.effective_date})
            self.message_user(
                request,
                _("Published. The version takes effect on %(date)s.") % {"date": version.effective_date.isoformat()},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("Publish the version effective %(date)s") % {"date": version.effective_date.isoformat()},
            "problems": services.publish_problems(version),
            "translation_problems": fallbacks,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/notices/policyversion/publish.html", context)
