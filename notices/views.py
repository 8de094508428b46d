"""Public pages: the policy in force, the history, any one version, and the region choice."""

import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import geo, selectors
from .places import country_name

JURISDICTION_PARAM_RE = re.compile(r"^[a-z0-9-]{1,32}$")
REGION_COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def chosen_jurisdiction(request, *, extra: tuple[str, ...] = ()) -> str | None:
    """Read ?jurisdiction=: None when absent, else ALL or a known code (400/404 otherwise)."""
    values = request.GET.getlist("jurisdiction")
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(_("Give at most one jurisdiction."))
    value = values[0].strip().lower()
    if value == "":
        return None
    if not JURISDICTION_PARAM_RE.match(value):
        raise BadRequest(_("That is not a jurisdiction code."))
    if value == selectors.ALL or value in extra:
        return value
    if value not in geo.jurisdiction_map().all_codes:
        raise Http404(_("There is no addendum for that jurisdiction."))
    return value


def _render_cached(request, key: tuple, template: str, build_context, *, status: int = 200) -> HttpResponse:
    """Render a page once per content generation, language and key; reuse it after.

    The key must hold everything the page depends on besides the language: these pages use
    no session or CSRF token, so the same bytes are right for everyone with that key.
    """
    # The legal date is part of every key: the upcoming-change notice and the state of each
    # version change at midnight in the legal time zone.
    html = selectors.cached(
        ("page", get_language(), selectors.legal_today(), *key),
        lambda: render_to_string(template, build_context(), request),
    )
    return HttpResponse(html, status=status)


def _cache_headers(response, location: geo.Location, *, chosen_in_url: bool):
    if chosen_in_url:
        # Everything the page shows is in its URL: any shared cache may keep it.
        patch_cache_control(response, public=True, max_age=settings.NOTICES_HTTP_MAX_AGE)
        return response
    # The addenda depend on the region cookie and the trusted CDN headers; with a GeoIP
    # database they depend on the client address too, which no Vary header can express.
    headers = [geo.CDN_HEADERS[p][i] for p in settings.GEO_TRUSTED_HEADERS for i in (0, 1)]
    patch_vary_headers(response, ["Cookie", *headers])
    if geo.geoip_reader() is not None:
        patch_cache_control(response, private=True, max_age=settings.NOTICES_HTTP_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=settings.NOTICES_HTTP_MAX_AGE)
    return response


def _located_page(request, template: str, *, effective_date, key: tuple, context: dict):
    chosen = chosen_jurisdiction(request)
    location = geo.locate(request, chosen=chosen)
    page_key = (
        *key,
        effective_date,
        location.source,
        location.country,
        location.subdivision,
        location.chosen,
    )

    def build():
        return {
            **context,
            "document": selectors.policy_document(effective_date=effective_date, shown=location.jurisdictions),
            "jurisdictions": selectors.jurisdiction_choices(),
            "location": location,
            "location_text": geo_explanation(location),
            "selected": location.chosen if location.source == geo.CHOICE else geo.AUTO,
        }

    response = _render_cached(request, page_key, template, build)
    return _cache_headers(response, location, chosen_in_url=chosen is not None)


def geo_explanation(location: geo.Location) -> str:
    names = {c.code: c.name for c in selectors.jurisdiction_choices()}
    shown = ", ".join(names[code] for code in location.jurisdictions if code in names)
    if location.source == geo.CHOICE:
        if location.chosen == selectors.ALL:
            return _("Every regional addendum is shown because you chose to see them all.")
        return _("The addendum for %(region)s is shown because you chose %(region)s.") % {
            "region": names.get(location.chosen, location.chosen)
        }
    if location.source == geo.UNKNOWN:
        return _("We could not tell where you are, so every regional addendum is shown.")
    place = country_name(location.country, get_language())
    if not location.jurisdictions:
        return _(
            "Your connection appears to come from %(country)s, where no regional addendum "
            "applies. The addenda for other regions are linked below."
        ) % {"country": place}
    return _("The addendum for %(regions)s is shown because your connection appears to come from %(country)s.") % {
        "regions": shown,
        "country": place,
    }


@require_safe
def policy(request):
    effective_date = selectors.in_force_date(on=selectors.legal_today())
    if effective_date is None:
        chosen_jurisdiction(request)  # a garbled parameter is still a 400
        raise Http404(_("No privacy policy has been published yet."))
    return _located_page(request, "notices/policy.html", effective_date=effective_date, key=("policy",), context={})


@require_safe
def version_detail(request, effective_date):
    today = selectors.legal_today()
    if selectors.policy_document(effective_date=effective_date, shown=()) is None:
        chosen_jurisdiction(request)
        raise Http404(_("No version of the policy took effect on that date."))
    current = selectors.in_force_date(on=today)
    context = {
        "is_current": effective_date == current,
        "is_upcoming": effective_date > today,
        "current_date": current,
    }
    return _located_page(
        request,
        "notices/version_detail.html",
        effective_date=effective_date,
        key=("version", today),
        context=context,
    )


@require_safe
def version_list(request):
    today = selectors.legal_today()
    response = _render_cached(
        request,
        ("history", today),
        "notices/version_list.html",
        lambda: {"versions": selectors.version_history(on=today)},
    )
    patch_cache_control(response, public=True, max_age=settings.NOTICES_HTTP_MAX_AGE)
    return response


@require_safe
def region(request):
    """Remember the region the visitor picked (a strictly necessary preference cookie).

    A plain GET form, so the picker works without JavaScript and without a CSRF token on
    cached pages; the worst a forged link can do is change which addendum is shown, and
    the page always says why it shows what it shows.
    """
    choice = chosen_jurisdiction(request, extra=(geo.AUTO,))
    target = request.GET.get("next", "")
    if not (
        target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        target = reverse("notices:policy")
    response = HttpResponseRedirect(target)
    if choice in (None, geo.AUTO):
        response.delete_cookie(geo.REGION_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            geo.REGION_COOKIE,
            choice,
            max_age=REGION_COOKIE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    add_never_cache_headers(response)
    return response


@require_safe
def version_diff(request, a, b):
    """The redline from version ``a`` (older) to ``b`` (newer)."""
    if a == b:
        raise BadRequest(_("Choose two different versions to compare."))
    if a > b:
        return _render_cached(
            request,
            ("diff-order", a, b),
            "notices/diff_order.html",
            lambda: {"a": a, "b": b},
            status=400,
        )
    changes = selectors.version_redline(old_date=a, new_date=b)
    if changes is None:
        raise Http404(_("Only two published versions whose text is held on this site can be compared."))
    response = _render_cached(
        request,
        ("diff", a, b),
        "notices/version_diff.html",
        lambda: {
            "a": a,
            "b": b,
            "changes": changes,
            "changed": [c for c in changes if c.status != "unchanged"],
        },
    )
    patch_cache_control(response, public=True, max_age=settings.NOTICES_HTTP_MAX_AGE)
    return response
