"""The legal editors' workspace: drafts, preview, compare, publish; published is read-only."""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline

from . import hooks, lineage, selectors, services, workspace
from .admin_translations import SectionTranslationsForm, TranslatorViews, translation_status_html
from .models import Jurisdiction, PolicyVersion, Section, VersionEvent, Withdrawal
from .redline import compare_versions
from .translation_status import translation_problems


@admin.register(Jurisdiction)
class JurisdictionAdmin(TabbedTranslationAdmin):
    list_display = ("code", "name", "countries", "subdivisions", "order")
    search_fields = ("code", "name", "countries", "subdivisions")

    def get_readonly_fields(self, request, obj=None):
        # The code is the jurisdiction's identity beyond this table: the addenda's addresses
        # (?jurisdiction=kr), the laws and deadlines of privacy requests, consent records.
        # Renaming one would give requests made there another law's deadline; places and
        # names are edited, the code never.
        return ("code",) if obj is not None else ()


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


class PolicyVersionForm(forms.ModelForm):
    """The draft's page carries the edit token it was built from: no save over a newer draft."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edit_token"].initial = lineage.edit_token(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            try:
                lineage.ensure_token(self.instance, self.data.get("edit_token"))
            except lineage.EditConflict as conflict:
                raise ValidationError(str(conflict), code="conflict") from None
        return cleaned


@admin.register(PolicyVersion)
class PolicyVersionAdmin(TranslatorViews, TabbedTranslationAdmin):
    list_display = ("effective_date", "state", "material", "copied_from", "published_at", "published_by")
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
    form = PolicyVersionForm
    save_on_top = True  # a long draft: Save at the top as well as the bottom

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not obj.is_published:
            return [*fields, "edit_token"]
        return [f for f in fields if f != "edit_token"]

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def state(self, obj):
        # A withdrawal is its own row (the published row never changes): say it here.
        withdrawn = getattr(obj, "is_withdrawn_row", None)
        return _("Withdrawn") if (obj.is_withdrawn if withdrawn is None else withdrawn) else obj.get_status_display()

    def get_queryset(self, request):
        withdrawn = Withdrawal.objects.filter(version=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_withdrawn_row=Exists(withdrawn))

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
        if change:
            # The row lock makes a second editor wait for the first and then see its event.
            stored = PolicyVersion.objects.select_for_update().get(pk=obj.pk)
            lineage.ensure_token(stored, form.data.get("edit_token"))
            request._notices_before = lineage.snapshot(stored)
            if obj.material and not stored.material and obj.effective_date < services.earliest_valid_date(obj):
                # A material change needs notice: its earliest valid date, not one never valid.
                obj.effective_date = services.earliest_valid_date(obj)
                self.message_user(
                    request,
                    _("A material change needs notice: the effective date was moved to %(date)s.")
                    % {"date": obj.effective_date.isoformat()},
                    messages.WARNING,
                )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        services.draft_ensure_editable(form.instance)
        super().save_formset(request, form, formset, change)
        self.record_translation_edits(request, formset)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        version = form.instance
        changes = lineage.changes_between(getattr(request, "_notices_before", {}), lineage.snapshot(version))
        fields = [form.fields[name].label for name in form.changed_data if name != "edit_token" and name in form.fields]
        note = _("Changed: %(fields)s.") % {"fields": ", ".join(str(f) for f in fields)} if fields else ""
        lineage.record(version, VersionEvent.Kind.EDITED, user=request.user, note=note, changes=changes)
        request._notices_change_message = "\n".join(filter(None, [note, lineage.describe_changes(changes)]))

    def construct_change_message(self, request, form, formsets, add=False):
        # The admin's own message names every inline whose form "changed", which with
        # translated fields is every section; say which sections changed, with a diff.
        return getattr(request, "_notices_change_message", None) or super().construct_change_message(
            request, form, formsets, add
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except lineage.EditConflict:
            # Someone saved between this form's checks and its write (rolled back): the form
            # is built again from the posted text, and its check now explains the conflict.
            return super().changeform_view(request, object_id, form_url, extra_context)

    # --- extra screens ---------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("start-next/", wrap(self.start_next_view), name="notices_policyversion_start_next"),
            path("<int:pk>/preview/", wrap(self.preview_view), name="notices_policyversion_preview"),
            path("<int:pk>/compare/", wrap(self.compare_view), name="notices_policyversion_compare"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="notices_policyversion_publish"),
            path("<int:pk>/request/", wrap(self.request_view), name="notices_policyversion_request"),
            path("<int:pk>/rebase/", wrap(self.rebase_view), name="notices_policyversion_rebase"),
            path("<int:pk>/withdraw/", wrap(self.withdraw_view), name="notices_policyversion_withdraw"),
            path(
                "<int:pk>/workspace/",
                wrap(partial(workspace.workspace_view, self)),
                name="notices_policyversion_workspace",
            ),
            path(
                "<int:pk>/workspace/preview/",
                wrap(partial(workspace.workspace_preview_view, self)),
                name="notices_policyversion_workspace_preview",
            ),
            *self.translation_urls(),
            *super().get_urls(),
        ]

    def _version(self, request, pk) -> PolicyVersion:
        version = get_object_or_404(PolicyVersion, pk=pk)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        return version

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # ASCII digits only: "²" passes isdigit() and fails the lookup; Django's own view
        # then says the version does not exist.
        pk = str(object_id)
        version = PolicyVersion.objects.filter(pk=pk).first() if pk.isascii() and pk.isdigit() else None
        today = selectors.legal_today()
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm("notices.publish_policyversion"),
            # the rebase notice is shown on its own, with its link
            "warnings": [w for w in services.draft_warnings(version) if w != lineage.stale_message(version)]
            if version
            else [],
            "notes": services.draft_notes(version) if version else [],
            "stale_message": lineage.stale_message(version) if version else "",
            "events": version.events.select_related("user") if version else [],
            "can_withdraw": bool(
                version
                and version.is_published
                and version.effective_date > today
                and not version.is_withdrawn
                and request.user.has_perm("notices.publish_policyversion")
            ),
            "pending_request": services.pending_request(version) if version else None,
            "follow_ups": hooks.follow_ups(version) if version and version.is_published else [],
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
        base = lineage.replaced_version(version) if not version.is_published else version.copied_from
        if base is None or base.pk == version.pk:
            raise Http404(_("There is no earlier version to compare with."))
        language = _language(request)
        with translation.override(language):
            changes = compare_versions(base, version, language=language)
        # The page is in the editor's language; only the compared text is in ``language``.
        title = _("Changes from %(a)s to this draft") % {"a": base.effective_date.isoformat()}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": title,
            "base": base,
            "stale_message": lineage.stale_message(version),
            "changes": changes,
            "changed": [c for c in changes if c.status != "unchanged"],
            "language": language,
            "languages": settings.LANGUAGES,
            "fallback_note": language != "en" and any(c.lang == "en" for c in changes),
        }
        return TemplateResponse(request, "admin/notices/policyversion/compare.html", context)

    def publish_view(self, request, pk):
        """The confirmation: what will be published, to whom, and what stops it (anyone may look)."""
        version = self._version(request, pk)
        can_publish = request.user.has_perm("notices.publish_policyversion")
        change_url = reverse("admin:notices_policyversion_change", args=[version.pk])
        fallbacks = translation_problems(version)
        if request.method == "POST":
            if not can_publish:
                raise PermissionDenied
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
        if version.is_published:
            return HttpResponseRedirect(change_url)
        base = lineage.replaced_version(version)
        changed = []
        if base is not None and base.pk != version.pk:
            changed = [c for c in compare_versions(base, version) if c.status != "unchanged"]
        summaries = [
            (code, name, getattr(version, f"summary_{code.replace('-', '_')}", "") or "")
            for code, name in settings.LANGUAGES
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("Publish the version effective %(date)s") % {"date": version.effective_date.isoformat()},
            "problems": services.publish_problems(version),
            "approval_problems": services.approval_problems(version, request.user) if can_publish else [],
            "pending_request": services.pending_request(version),
            "can_publish": can_publish,
            "can_request": self.has_change_permission(request, version),
            "translation_problems": fallbacks,
            "change_url": change_url,
            "base": base,
            "changed": changed,
            "summaries": summaries,
            "audience": hooks.audience(version),
        }
        return TemplateResponse(request, "admin/notices/policyversion/publish.html", context)

    def request_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = self._version(request, pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        try:
            services.publication_request(version=version, user=request.user)
        except services.PublishedVersionImmutable as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:notices_policyversion_change", args=[version.pk]))
        self.log_change(request, version, _("Publication requested."))
        self.message_user(
            request, _("Publication requested: another publisher can now approve and publish it."), messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:notices_policyversion_publish", args=[version.pk]))

    def rebase_view(self, request, pk):
        """Show what the version published since the draft started changed, and carry it in."""
        version = self._version(request, pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        change_url = reverse("admin:notices_policyversion_change", args=[version.pk])
        # A POST asks the service, which checks under the draft's row lock: a second click or
        # another editor's rebase that got there first is not an error.
        result = lineage.draft_rebase(version=version, user=request.user) if request.method == "POST" else None
        onto = result.onto if result else lineage.stale_base(version)
        if onto is None or (request.method == "POST" and result is None):
            self.message_user(request, _("This draft already builds on the latest published version."))
            return HttpResponseRedirect(change_url)
        if result is not None:
            self.log_change(
                request, version, _("Rebased onto %(date)s.") % {"date": result.onto.effective_date.isoformat()}
            )
            message = _("The changes of the version effective %(date)s were carried into this draft.") % {
                "date": result.onto.effective_date.isoformat()
            }
            self.message_user(request, message, messages.SUCCESS)
            if result.conflicts:
                self.message_user(
                    request,
                    _(
                        "These sections were changed both in this draft and in that version; the draft's text "
                        "was kept. Compare them and carry the other change in by hand: %(sections)s"
                    )
                    % {"sections": ", ".join(result.conflicts)},
                    messages.WARNING,
                )
            return HttpResponseRedirect(change_url)
        base = lineage.published_base(version)
        changes = compare_versions(base, onto)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("Rebase this draft onto the version effective %(date)s") % {"date": onto.effective_date},
            "base": base,
            "onto": onto,
            "changes": changes,
            "changed": [c for c in changes if c.status != "unchanged"],
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/notices/policyversion/rebase.html", context)

    def withdraw_view(self, request, pk):
        version = self._version(request, pk)
        if not request.user.has_perm("notices.publish_policyversion"):
            raise PermissionDenied
        change_url = reverse("admin:notices_policyversion_change", args=[version.pk])
        error = None
        reason = ""
        if request.method == "POST":
            reason = request.POST.get("reason", "")[:2000]
            try:
                services.version_withdraw(version=version, reason=reason, user=request.user)
            except services.WithdrawRefused as refused:
                error = str(refused)
            else:
                self.log_change(request, version, _("Withdrawn: %(reason)s") % {"reason": reason.strip()})
                self.message_user(
                    request,
                    _("The version effective %(date)s is withdrawn; it will not take effect.")
                    % {"date": version.effective_date.isoformat()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("Withdraw the version effective %(date)s") % {"date": version.effective_date.isoformat()},
            "change_url": change_url,
            "error": error,
            "reason": reason,
            "audience": hooks.audience(version),
        }
        return TemplateResponse(request, "admin/notices/policyversion/withdraw.html", context)


def _language(request) -> str:
    codes = [c for c, _ in settings.LANGUAGES]
    return request.GET.get("language") if request.GET.get("language") in codes else "en"
