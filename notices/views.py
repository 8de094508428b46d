"""Public pages: the policy in force, the history, and any one version."""

import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import selectors

JURISDICTION_PARAM_RE = re.compile(r"^[a-z0-9-]{1,32}$")


def selected_jurisdiction(request) -> str:
    """Read ?jurisdiction=: a known code, or ALL; 400 when garbled, 404 when unknown."""
    values = request.GET.getlist("jurisdiction")
    if not values:
        return selectors.ALL
    if len(values) > 1:
        raise BadRequest(_("Give at most one jurisdiction."))
    value = values[0].strip().lower()
    if value in ("", selectors.ALL):
        return selectors.ALL
    if not JURISDICTION_PARAM_RE.match(value):
        raise BadRequest(_("That is not a jurisdiction code."))
    if value not in {choice.code for choice in selectors.jurisdiction_choices()}:
        raise Http404(_("There is no addendum for that jurisdiction."))
    return value


def _public(response):
    # Nothing on these pages depends on cookies or the visitor, so shared caches may keep
    # them briefly; publishing a version is visible everywhere within this many seconds.
    patch_cache_control(response, public=True, max_age=settings.NOTICES_HTTP_MAX_AGE)
    return response


def _render_cached(request, key: tuple, template: str, build_context):
    """Render a public page once per content generation, language and key; reuse it after.

    The key must hold everything the page depends on besides the language: the pages use
    no cookie, session or CSRF token, so the same bytes are right for every visitor.
    """
    html = selectors.cached(
        ("page", get_language(), *key),
        lambda: render_to_string(template, build_context(), request),
    )
    return _public(HttpResponse(html))


@require_safe
def policy(request):
    today = selectors.legal_today()
    selected = selected_jurisdiction(request)
    effective_date = selectors.in_force_date(on=today)
    if effective_date is None:
        raise Http404(_("No privacy policy has been published yet."))
    return _render_cached(
        request,
        ("policy", effective_date, selected),
        "notices/policy.html",
        lambda: {
            "document": selectors.policy_document(effective_date=effective_date, selected=selected),
            "jurisdictions": selectors.jurisdiction_choices(),
            "selected": selected,
        },
    )


@require_safe
def version_list(request):
    today = selectors.legal_today()
    return _render_cached(
        request,
        ("history", today),
        "notices/version_list.html",
        lambda: {"versions": selectors.version_history(on=today)},
    )


@require_safe
def version_detail(request, effective_date):
    today = selectors.legal_today()
    selected = selected_jurisdiction(request)
    if selectors.policy_document(effective_date=effective_date, selected=selected) is None:
        raise Http404(_("No version of the policy took effect on that date."))
    current = selectors.in_force_date(on=today)
    return _render_cached(
        request,
        ("version", effective_date, selected, today),
        "notices/version_detail.html",
        lambda: {
            "document": selectors.policy_document(effective_date=effective_date, selected=selected),
            "jurisdictions": selectors.jurisdiction_choices(),
            "selected": selected,
            "is_current": effective_date == current,
            "is_upcoming": effective_date > today,
            "current_date": current,
        },
    )
