"""The lawyer's workspace: one section at a time, a large editor, the rendered text beside it.

Admin views (wrapped by PolicyVersionAdmin.get_urls). One language for the whole page,
chosen once; Save at the top and the bottom; every rule that stops publishing listed while
they work. It works without JavaScript ("Preview" posts the text and shows it rendered,
unsaved); static/js/workspace.js refreshes the preview while typing and warns before
leaving with unsaved changes.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import lineage, services
from .models import PolicyVersion
from .rendering import render_markdown
from .updates import expand_markers

DETAILS = "details"
MAX_TEXT = 200_000


def _language(value) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    return value if value in codes else "en"


def _url(version, section, language) -> str:
    base = reverse("admin:notices_policyversion_workspace", args=[version.pk])
    return f"{base}?{urlencode({'section': section, 'language': language})}"


def preview_html(version: PolicyVersion, body: str, language: str) -> str:
    """The section as the public page will show it (sanitised; the Updates block generated)."""
    return expand_markers(render_markdown(body or ""), version, language)


def workspace_view(model_admin, request, pk):
    version = PolicyVersion.objects.filter(pk=pk).first()
    if version is None:
        raise Http404(_("There is no such version."))
    if not model_admin.has_view_permission(request, version):
        raise PermissionDenied
    editable = not version.is_published and model_admin.has_change_permission(request, version)
    params = request.POST if request.method == "POST" else request.GET
    language = _language(params.get("language"))
    sections = list(version.sections.select_related("jurisdiction").order_by("order", "pk"))
    anchors = [s.anchor for s in sections]
    current = params.get("section") or (anchors[0] if anchors else DETAILS)
    if current != DETAILS and current not in anchors:
        raise Http404(_("This version has no such section."))
    suffix = language.replace("-", "_")
    section = next((s for s in sections if s.anchor == current), None)
    error, status = None, 200
    token = lineage.edit_token(version)

    if section is not None:
        values = {
            "heading": getattr(section, f"heading_{suffix}") or "",
            "body": getattr(section, f"body_{suffix}") or "",
        }
    else:
        values = {
            "effective_date": version.effective_date.isoformat(),
            "material": version.material,
            "summary": getattr(version, f"summary_{suffix}") or "",
        }

    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        token = request.POST.get("edit_token", "")
        if section is not None:
            values = {
                "heading": request.POST.get("heading", "")[:300],
                "body": request.POST.get("body", "")[:MAX_TEXT],
            }
        else:
            values = {
                "effective_date": request.POST.get("effective_date", ""),
                "material": request.POST.get("material") == "on",
                "summary": request.POST.get("summary", "")[:MAX_TEXT],
            }
        if "_preview" not in request.POST:
            try:
                event, moved = _save(version, section, language, values, token, request.user)
            except lineage.EditConflict as conflict:
                error, status = str(conflict), 409
            except (services.DraftInvalid, ValueError) as invalid:
                error, status = str(invalid), 400
            else:
                # The admin history says what changed, with the diff, as the change form does.
                message = event.note if section is None else lineage.describe_changes(event.changes)
                model_admin.log_change(request, version, message or _("No text changed."))
                messages.success(request, _("Saved."))
                if moved:
                    version.refresh_from_db()
                    note = _("A material change needs notice: the effective date was moved to %(date)s.")
                    messages.warning(request, note % {"date": version.effective_date.isoformat()})
                return HttpResponseRedirect(_url(version, current, language))

    version.refresh_from_db()
    english = section.body_en if section is not None and language != "en" else ""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": version,
        "title": _("Edit the draft effective %(date)s") % {"date": version.effective_date.isoformat()},
        "sections": sections,
        "current": current,
        "section": section,
        "values": values,
        "language": language,
        "languages": settings.LANGUAGES,
        "edit_token": token,
        "editable": editable,
        "error": error,
        "preview": preview_html(version, values["body"], language) if section is not None else "",
        "english_body": english,
        "warnings": [w for w in services.draft_warnings(version) if w != lineage.stale_message(version)],
        "notes": services.draft_notes(version),
        "stale_message": lineage.stale_message(version),
        "earliest": services.earliest_valid_date(version) if not version.is_published else None,
        "details": DETAILS,
        "preview_url": reverse("admin:notices_policyversion_workspace_preview", args=[version.pk]),
        "change_url": reverse("admin:notices_policyversion_change", args=[version.pk]),
    }
    response = TemplateResponse(request, "admin/notices/policyversion/workspace.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _save(version, section, language, values, token, user):
    if section is not None:
        event = services.draft_section_save(
            version=version,
            anchor=section.anchor,
            language=language,
            heading=values["heading"],
            body=values["body"],
            token=token,
            user=user,
        )
        return event, False
    try:
        date = datetime.date.fromisoformat(values["effective_date"])
    except ValueError:
        raise ValueError(_("Enter the effective date as YYYY-MM-DD.")) from None
    return services.draft_details_save(
        version=version,
        effective_date=date,
        material=values["material"],
        language=language,
        summary=values["summary"],
        token=token,
        user=user,
    )


def workspace_preview_view(model_admin, request, pk):
    """The rendered HTML of posted Markdown, for the workspace script (nothing is saved)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    version = PolicyVersion.objects.filter(pk=pk).first()
    if version is None or not model_admin.has_view_permission(request, version):
        raise PermissionDenied
    language = _language(request.POST.get("language"))
    html = preview_html(version, request.POST.get("body", "")[:MAX_TEXT], language)
    empty = _("(empty)")
    response = HttpResponse(html or f"<p>{escape(empty)}</p>", content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
