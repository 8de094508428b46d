"""Public pages: the policy in force, the history, any one version, and the region choice.

Views are thin: they normalise what the request asks for (a known date, a known region),
then serve a page rendered once for everyone with that key (notices.pages). Caching headers
for HTML are set in one place, core.middleware.
"""

import datetime

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import location as places
from core.visitor import visitor_for

from . import geo, reading, selectors
from .pages import render_shared
from .places import country_name

REGION_COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def _located_page(request, template: str, *, effective_date, key: tuple, context: dict, path: str):
    """A page showing a version with the addenda the visitor reads, explained."""
    visitor = visitor_for(request)
    choice = reading.reading_for(request)
    visitor.addenda_shown = choice.shown
    # The explanation depends on where the visitor is only when they chose nothing.
    location = None if choice.chosen else visitor.location
    located = (location.source, location.country) if location else ()
    query = {"jurisdiction": choice.chosen} if choice.in_url else None

    def build():
        return {
            **context,
            "document": selectors.policy_document(effective_date=effective_date, shown=choice.shown),
            "jurisdictions": selectors.jurisdiction_choices(),
            "location_text": explanation(choice, location),
            "location_source": location.source if location else "choice",
            "selected": choice.chosen or reading.AUTO,
        }

    page = render_shared(
        (*key, effective_date, choice.chosen or "-", choice.in_url, *choice.shown, "@", *located),
        template,
        build,
        path=path,
        query=query,
    )
    return page.response()


def explanation(choice: reading.Reading, location: places.Location | None) -> str:
    names = {c.code: c.name for c in selectors.jurisdiction_choices()}
    if choice.chosen == selectors.ALL:
        return _("Every regional addendum is shown because you chose to see them all.")
    if choice.chosen:
        return _("The addendum for %(region)s is shown because you chose %(region)s.") % {
            "region": names.get(choice.chosen, choice.chosen)
        }
    if location is None or location.country is None:
        return _("We could not tell where you are, so every regional addendum is shown.")
    place = country_name(location.country, get_language())
    if not choice.shown:
        return _(
            "Your connection appears to come from %(country)s, where no regional addendum "
            "applies. The addenda for other regions are linked below."
        ) % {"country": place}
    shown = ", ".join(names[code] for code in choice.shown if code in names)
    return _("The addendum for %(regions)s is shown because your connection appears to come from %(country)s.") % {
        "regions": shown,
        "country": place,
    }


@require_safe
def policy(request):
    effective_date = selectors.in_force_date(on=selectors.legal_today())
    if effective_date is None:
        reading.chosen_jurisdiction(request)  # a garbled parameter is still a 400
        raise Http404(_("No privacy policy has been published yet."))
    return _located_page(
        request,
        "notices/policy.html",
        effective_date=effective_date,
        key=("policy",),
        context={},
        path=lambda: reverse("notices:policy"),
    )


@require_safe
def version_detail(request, effective_date):
    if effective_date not in selectors.published_dates():
        reading.chosen_jurisdiction(request)
        raise Http404(_("No version of the policy took effect on that date."))
    today = selectors.legal_today()
    current = selectors.in_force_date(on=today)
    withdrawn = selectors.withdrawn_versions()
    context = {
        "is_current": effective_date == current,
        "is_upcoming": effective_date > today and effective_date not in withdrawn,
        "current_date": current,
        "withdrawn": effective_date in withdrawn,
        "withdrawn_reason": withdrawn.get(effective_date, ""),
    }
    return _located_page(
        request,
        "notices/version_detail.html",
        effective_date=effective_date,
        key=("version",),
        context=context,
        path=lambda: reverse("notices:version_detail", kwargs={"effective_date": effective_date}),
    )


@require_safe
def version_list(request):
    today = selectors.legal_today()

    def build():
        versions = selectors.version_history(on=today)
        comparable = [v for v in versions if v.has_text]
        return {
            "versions": versions,
            "comparable": comparable,
            "default_a": comparable[1].effective_date if len(comparable) > 1 else None,
            "default_b": comparable[0].effective_date if comparable else None,
        }

    page = render_shared(("history",), "notices/version_list.html", build, path=lambda: reverse("notices:version_list"))
    return page.response()


@require_safe
def version_compare(request):
    """The history page's picker: any two versions with text, in either order, to their redline."""
    dates = selectors.published_dates()
    picked = []
    for name in ("a", "b"):
        values = request.GET.getlist(name)
        if len(values) != 1:
            raise BadRequest(_("Choose two versions to compare."))
        try:
            value = datetime.date.fromisoformat(values[0])
        except ValueError:
            raise BadRequest(_("Choose two versions to compare.")) from None
        if not dates.get(value):
            raise Http404(_("Only two published versions whose text is held on this site can be compared."))
        picked.append(value)
    a, b = sorted(picked)
    if a == b:
        raise BadRequest(_("Choose two different versions to compare."))
    target = reverse("notices:version_diff", kwargs={"a": a, "b": b})
    if request.GET.get("region") == "mine":
        target += "?region=mine"
    return HttpResponseRedirect(target)


@require_safe
def region(request):
    """Remember the region the visitor picked to read (a strictly necessary preference cookie).

    A plain GET form, so the picker works without JavaScript and without a CSRF token on
    cached pages; the worst a forged link can do is change which addendum is shown, and
    the page always says why it shows what it shows.
    """
    choice = reading.chosen_jurisdiction(request, extra=(reading.AUTO,))
    target = request.GET.get("next", "")
    if not (
        target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        target = reverse("notices:policy")
    response = HttpResponseRedirect(target)
    if choice in (None, reading.AUTO):
        response.delete_cookie(reading.REGION_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            reading.REGION_COOKIE,
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
    dates = selectors.published_dates()
    if not (dates.get(a) and dates.get(b)):
        raise Http404(_("Only two published versions whose text is held on this site can be compared."))

    def path():
        return reverse("notices:version_diff", kwargs={"a": a, "b": b})

    if a > b:
        page = render_shared(("diff-order", a, b), "notices/diff_order.html", lambda: {"a": a, "b": b}, path=path)
        return page.response(status=400)
    changes = selectors.version_redline(old_date=a, new_date=b)
    mine = _region_filter(request)
    shown = None
    if mine is not None:
        # "What changed for your region": the general sections and the addenda that apply
        # where the visitor is (their location, not a region they chose to read).
        shown = mine
        changes = [c for c in changes if not c.jurisdiction or c.jurisdiction in mine]
    summary = selectors.version_summary(new_date=b)
    page = render_shared(
        ("diff", a, b, "mine" if mine is not None else "all", *(mine or ())),
        "notices/version_diff.html",
        lambda: {
            "a": a,
            "b": b,
            "changes": changes,
            "changed": [c for c in changes if c.status != "unchanged"],
            "summary": summary,
            "fallback_note": get_language() != "en" and any(c.lang == "en" for c in changes),
            "region_filter": mine is not None,
            "region_names": [n.name for n in selectors.jurisdiction_choices() if shown and n.code in shown],
        },
        path=path,
        query={"region": "mine"} if mine is not None else None,
    )
    return page.response()


def _region_filter(request) -> tuple[str, ...] | None:
    values = request.GET.getlist("region")
    if not values:
        return None
    if values != ["mine"]:
        raise BadRequest(_("The only region filter is “mine”."))
    return tuple(geo.jurisdictions_at(visitor_for(request).location))
