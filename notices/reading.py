"""What the visitor chose to read: another region's addenda, or every one.

The choice comes from ``?jurisdiction=`` or the remembered region cookie and decides only
which addenda a page shows. It never changes where the visitor *is* (core.location), which
is what consent rules, deadlines and records follow.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _

from core.visitor import visitor_for

from . import geo
from .selectors import ALL

REGION_COOKIE = settings.NOTICES_REGION_COOKIE_NAME
AUTO = "auto"
JURISDICTION_PARAM_RE = re.compile(r"^[a-z0-9-]{1,32}$")


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
    if value == ALL or value in extra:
        return value
    if value not in geo.jurisdiction_map().all_codes:
        raise Http404(_("There is no addendum for that jurisdiction."))
    return value


def remembered_choice(request) -> str | None:
    value = request.COOKIES.get(REGION_COOKIE, "")
    if value == ALL or value in geo.jurisdiction_map().all_codes:
        return value
    return None  # absent, tampered or a region that no longer exists


@dataclass(frozen=True)
class Reading:
    shown: tuple[str, ...]  # codes of the addenda on the page
    chosen: str | None  # the code (or ALL) the visitor chose; None: where they are
    in_url: bool  # the choice came with the URL (?jurisdiction=)


def reading_for(request) -> Reading:
    """The addenda this request's page shows, from the choice, else from the location."""
    chosen = chosen_jurisdiction(request)
    choice = chosen or remembered_choice(request)
    if choice:
        shown = geo.jurisdiction_map().all_codes if choice == ALL else (choice,)
    else:
        shown = geo.jurisdictions_at(visitor_for(request).location)
    return Reading(shown, choice, chosen is not None)
