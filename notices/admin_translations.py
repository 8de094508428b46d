"""The translator's view: the English beside each translation, section by section, with status.

Per version and language: every section's current English next to its translation, whether
the translation is up to date, outdated or missing, and for an outdated one what changed in
the English since it was translated. On a draft, a translator edits a section's translation
or marks it as up to date; both are recorded with who and when (on the section's record and
in the admin history). A published version's translations are shown, never changed.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from . import lineage, translating, translation_status
from .fidelity import section_problems
from .models import PolicyVersion, Section
from .redline import diff_words, html_to_text
from .rendering import render_markdown
from .source import ParsedSection, translation_languages


def _text(value) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def translation_changed(form: forms.ModelForm, language: str) -> bool:
    """Whether the translation's text in this section's form really differs from the one saved.

    Not ``changed_data``: a textarea posts its text stripped and with CRLF line ends, so every
    stored body ending in a newline counts as changed, and saving the English of a section
    would record its untouched translations as written against the new English.
    """
    s = translation_status.suffix(language)
    return any(
        _text(form.initial.get(name)) != _text(form.cleaned_data.get(name))
        for name in (f"heading_{s}", f"body_{s}")
        if name in form.fields
    )


class SectionTranslationsForm(forms.ModelForm):
    """The draft's section form: a translation typed in a language tab keeps the English structure."""

    def clean(self):
        cleaned = super().clean()
        english = ParsedSection(
            0, self.instance.anchor or "", cleaned.get("heading_en") or "", cleaned.get("body_en") or "", None, 0
        )
        for language in translation_languages():
            s = translation_status.suffix(language)
            if not translation_changed(self, language):
                continue
            heading, body = (cleaned.get(f"heading_{s}") or "").strip(), (cleaned.get(f"body_{s}") or "").strip()
            if not body:
                continue
            if english.heading and not heading:
                self.add_error(
                    f"heading_{s}", _("Translate the heading too: a section is translated whole or not at all.")
                )
            translated = ParsedSection(0, english.anchor, heading, body + "\n", None, 1, 1)
            for problem in section_problems(english, translated):
                if problem.field != "heading":  # said above, on the heading's own field
                    self.add_error(f"body_{s}", problem.message)
        return cleaned


class TranslationForm(forms.Form):
    # The draft's edit token when the page was built: a save from an older page is refused.
    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)
    heading = forms.CharField(label=gettext_lazy("Translated heading"), max_length=300, required=False)
    body = forms.CharField(
        label=gettext_lazy("Translated body (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "class": "vLargeTextField"}),
    )


def language_name(code: str) -> str:
    return str(get_language_info(code)["name_local"])


def english_changes(status: translation_status.SectionStatus) -> str | None:
    """What changed in the English since the translation was made, as a word redline."""
    record = status.record
    if status.state != translation_status.OUTDATED or record is None:
        return None
    section = status.section
    parts = []
    if (record.source_heading or "") != (section.heading_en or ""):
        parts.append(
            format_html(
                "<p>{} {}</p>", _("Heading:"), mark_safe(diff_words(record.source_heading, section.heading_en or ""))
            )
        )
    before = html_to_text(render_markdown(record.source_body))
    after = html_to_text(section.body_html_en or "")
    if before != after:
        lines = diff_words(before, after).split("\n")
        parts.append(format_html_join("", "<p>{}</p>", ((mark_safe(line),) for line in lines)))
    return mark_safe("".join(str(p) for p in parts))


class TranslatorViews:
    """Mixed into PolicyVersionAdmin: its URLs, permissions and history."""

    def translation_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/translations/", wrap(self.translations_view), name="notices_policyversion_translations"),
            path(
                "<int:pk>/translations/<str:language>/",
                wrap(self.translation_language_view),
                name="notices_policyversion_translation",
            ),
            path(
                "<int:pk>/translations/<str:language>/<int:section_pk>/",
                wrap(self.translation_edit_view),
                name="notices_policyversion_translation_edit",
            ),
            path(
                "<int:pk>/translations/<str:language>/<int:section_pk>/current/",
                wrap(self.translation_mark_current_view),
                name="notices_policyversion_translation_current",
            ),
        ]

    def _language(self, language: str) -> str:
        if language not in translation_languages():
            raise Http404(_("The policy is not translated into that language."))
        return language

    def _translation_context(self, request, version, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": title,
            "change_url": reverse("admin:notices_policyversion_change", args=[version.pk]),
            "editable": not version.is_published and self.has_change_permission(request, version),
            "edit_token": lineage.edit_token(version),
        }

    def translations_view(self, request, pk):
        """Every language of the version with how many sections are up to date, outdated, missing."""
        version = self._version(request, pk)
        rows = []
        for language in translation_languages():
            states = [s.state for s in translation_status.version_translation_status(version, language)]
            rows.append(
                {
                    "code": language,
                    "name": language_name(language),
                    "current": states.count(translation_status.CURRENT),
                    "outdated": states.count(translation_status.OUTDATED),
                    "missing": states.count(translation_status.MISSING),
                    "total": len(states),
                }
            )
        context = {
            **self._translation_context(
                request,
                version,
                _("Translations of the version effective %(date)s") % {"date": version.effective_date.isoformat()},
            ),
            "languages": rows,
        }
        return TemplateResponse(request, "admin/notices/policyversion/translations.html", context)

    def translation_language_view(self, request, pk, language):
        version = self._version(request, pk)
        language = self._language(language)
        statuses = translation_status.version_translation_status(version, language)
        sections = []
        for status in statuses:
            section = status.section
            heading, _body = translation_status.translated_text(section, language)
            sections.append(
                {
                    "status": status,
                    "section": section,
                    "english_heading": section.heading_en or _("Introduction"),
                    "english_html": mark_safe(section.body_html_en or ""),
                    "heading": heading,
                    "html": mark_safe(getattr(section, f"body_html_{translation_status.suffix(language)}") or ""),
                    "changes": english_changes(status),
                }
            )
        counts = {state: sum(s["status"].state == state for s in sections) for state in translation_status.STATES}
        context = {
            **self._translation_context(
                request,
                version,
                _("%(language)s translation of the version effective %(date)s")
                % {"language": language_name(language), "date": version.effective_date.isoformat()},
            ),
            "language": language,
            "language_name": language_name(language),
            "sections": sections,
            "counts": counts,
            "translations_url": reverse("admin:notices_policyversion_translations", args=[version.pk]),
        }
        return TemplateResponse(request, "admin/notices/policyversion/translation.html", context)

    def _editable_section(self, request, pk, language, section_pk) -> tuple[PolicyVersion, str, Section]:
        version = self._version(request, pk)
        language = self._language(language)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        section = get_object_or_404(Section, pk=section_pk, version=version)
        return version, language, section

    def translation_edit_view(self, request, pk, language, section_pk):
        version, language, section = self._editable_section(request, pk, language, section_pk)
        back = reverse("admin:notices_policyversion_translation", args=[version.pk, language]) + f"#{section.anchor}"
        heading, body = translation_status.translated_text(section, language)
        initial = {"heading": heading, "body": body, "edit_token": lineage.edit_token(version)}
        form = TranslationForm(request.POST or None, initial=initial)
        status = 200
        if request.method == "POST" and form.is_valid():
            if section.heading_en and form.cleaned_data["body"].strip() and not form.cleaned_data["heading"].strip():
                form.add_error("heading", _("Translate the heading too: a section is translated whole or not at all."))
            elif form.cleaned_data["heading"].strip() and not form.cleaned_data["body"].strip():
                form.add_error("body", _("Translate the body too: a section is translated whole or not at all."))
            else:
                try:
                    problems = translating.translation_save(
                        section=section,
                        language=language,
                        heading=form.cleaned_data["heading"],
                        body=form.cleaned_data["body"],
                        user=request.user,
                        token=form.cleaned_data["edit_token"],
                    )
                except translating.TranslationNotEditable as refused:
                    raise PermissionDenied(str(refused)) from None
                except lineage.EditConflict as conflict:
                    # As in the workspace: the text stays on screen, nothing is written.
                    problems, status = [], 409
                    form.add_error(None, str(conflict))
                if status == 200 and not problems:
                    self.log_change(
                        request,
                        version,
                        _("Translation of “%(section)s” into %(language)s edited.")
                        % {"section": section.anchor, "language": language},
                    )
                    self.message_user(request, _("The translation was saved and is up to date."), messages.SUCCESS)
                    return HttpResponseRedirect(back)
                for problem in problems:
                    form.add_error("body", problem)
        context = {
            **self._translation_context(
                request,
                version,
                _("Translate “%(section)s” into %(language)s")
                % {"section": section.heading_en or _("Introduction"), "language": language_name(language)},
            ),
            "form": form,
            "section": section,
            "language": language,
            "language_name": language_name(language),
            "english_body": section.body_en,
            "english_html": mark_safe(section.body_html_en or ""),
            "back": back,
        }
        return TemplateResponse(request, "admin/notices/policyversion/translation_edit.html", context, status=status)

    def translation_mark_current_view(self, request, pk, language, section_pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version, language, section = self._editable_section(request, pk, language, section_pk)
        try:
            translating.translation_mark_current(
                section=section, language=language, user=request.user, token=request.POST.get("edit_token", "")
            )
        except (translating.TranslationNotEditable, lineage.EditConflict) as refused:
            self.message_user(request, str(refused), messages.ERROR)
        else:
            self.log_change(
                request,
                version,
                _("Translation of “%(section)s” into %(language)s marked as up to date.")
                % {"section": section.anchor, "language": language},
            )
            self.message_user(
                request,
                _("“%(section)s” in %(language)s is marked as up to date with the English.")
                % {"section": section.heading_en or _("Introduction"), "language": language_name(language)},
                messages.SUCCESS,
            )
        target = reverse("admin:notices_policyversion_translation", args=[version.pk, language])
        return HttpResponseRedirect(f"{target}#{section.anchor}")

    # --- on the draft's own page ----------------------------------------------------------

    def record_translation_edits(self, request, formset) -> None:
        """A translation typed in the draft's language tabs was made from the English as saved."""
        for form in formset.forms:
            section = form.instance
            if not section.pk or not form.has_changed():
                continue
            for language in translation_languages():
                if translation_changed(form, language):
                    _heading, body = translation_status.translated_text(section, language)
                    if body.strip():
                        translating.translation_record_edit(section=section, language=language, user=request.user)


def translation_status_html(section: Section) -> str:
    """One line per language for the draft's section inline: its status, linked to the view."""
    if not section.pk:
        return "—"
    records = {r.language: r for r in section.translations.all()}
    items = []
    for language in translation_languages():
        state = translation_status.section_state(section, language, records.get(language))
        url = reverse("admin:notices_policyversion_translation", args=[section.version_id, language])
        label = {
            translation_status.CURRENT: _("Up to date"),
            translation_status.OUTDATED: _("Outdated"),
            translation_status.MISSING: _("Missing"),
        }[state]
        items.append((url, section.anchor, f"translation-status {state}", language_name(language), label))
    return format_html(
        '<ul class="translation-statuses">{}</ul>',
        format_html_join("", '<li><a href="{}#{}"><span class="{}">{}: {}</span></a></li>', items),
    )
