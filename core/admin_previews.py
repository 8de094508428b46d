"""The staff page that previews every registered email (core.email_previews) in every language.

Mounted under /admin/ by privacy_site.urls through admin.site.admin_view, so only active
staff reach it. The HTML part is served on its own address into a sandboxed frame, with a
policy of its own: emails carry inline styles (mail programs ignore style sheets), and
nothing in them may run or load anything.
"""

from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin

from . import email_previews

# The email's own inline styles only: no script, no request to anywhere, no form, no plugin.
EMAIL_FRAME_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"


def _language(code: str) -> str:
    if code not in dict(settings.LANGUAGES):
        raise Http404(_("There is no such language."))
    return code


def _kind(key: str) -> email_previews.EmailKind:
    found = email_previews.kind(key)
    if found is None:
        raise Http404(_("There is no such email."))
    return found


def _sample(kind: email_previews.EmailKind, request) -> tuple[list[tuple[str, str]], str | None]:
    choices = kind.samples() if kind.samples else []
    wanted = request.GET.get("sample")
    values = [value for value, _label in choices]
    if wanted is not None and wanted not in values:
        raise Http404(_("There is no such sample for this email."))
    return choices, wanted if wanted is not None else (values[0] if values else None)


def _build(kind, language: str, sample: str | None):
    with translation.override(language):
        return email_previews.render(kind.build(language, sample))


@never_cache
def index(request):
    context = {
        **admin.site.each_context(request),
        "title": _("Email previews"),
        "kinds": email_previews.kinds(),
        "languages": settings.LANGUAGES,
    }
    return TemplateResponse(request, "admin/email_previews/index.html", context)


@never_cache
def detail(request, key: str, language: str):
    kind = _kind(key)
    language = _language(language)
    choices, sample = _sample(kind, request)
    rendered = _build(kind, language, sample)
    context = {
        **admin.site.each_context(request),
        "title": _("Email preview: %(email)s") % {"email": kind.label},
        "kind": kind,
        "language": language,
        "languages": settings.LANGUAGES,
        "choices": choices,
        "sample": sample,
        "email": rendered,
    }
    return TemplateResponse(request, "admin/email_previews/detail.html", context)


@never_cache
@xframe_options_sameorigin
def detail_html(request, key: str, language: str):
    kind = _kind(key)
    language = _language(language)
    _choices, sample = _sample(kind, request)
    rendered = _build(kind, language, sample)
    if rendered.html is None:
        raise Http404(_("This email has no HTML part."))
    response = HttpResponse(rendered.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = EMAIL_FRAME_POLICY
    return response


def urlpatterns():
    from django.urls import path

    view = admin.site.admin_view
    return [
        path("", view(index), name="email_previews"),
        path("<str:key>/<str:language>/", view(detail), name="email_preview"),
        path("<str:key>/<str:language>/html/", view(detail_html), name="email_preview_html"),
    ]
