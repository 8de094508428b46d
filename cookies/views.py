"""The cookie settings page, the choice endpoints, GPC's well-known file and the demo pixel."""

import base64
import logging
import secrets

from cookie_consent.views import CookieStatusView
from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.encoding import iri_to_uri
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import choices, consent_mode, receipts, rules
from .forms import ChoiceForm
from .models import ConsentRecord
from .state import consent_for

logger = logging.getLogger(__name__)

# A choice is a handful of short fields; anything much larger is not one.
MAX_BODY_BYTES = 4096
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
DEMO_COOKIE = "demo_analytics"
DEMO_COOKIE_DAYS = 30


def wants_json(request) -> bool:
    # The first header is django-cookie-consent's (its cookiebar sends it); ours sends both.
    return bool(request.headers.get("X-Cookie-Consent-Fetch")) or "application/json" in request.headers.get(
        "Accept", ""
    )


def safe_next(request, value: str, fallback: str) -> str:
    """The page to return to: a path on this site, or the fallback."""
    if (
        value.startswith("/")
        and all(ch.isprintable() and not ch.isspace() for ch in value)
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return iri_to_uri(value)
    return fallback


def _refuse(request, status: int, message: str):
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    response = render(request, "cookies/choice_failed.html", {"message": message}, status=status)
    if status == 503:
        response["Retry-After"] = "5"
    return response


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@require_POST
def choose(request, action: str):
    """Apply one of accept, decline, save or withdraw (set by the URL); record it; remember it."""
    if _declared_length(request) > MAX_BODY_BYTES:
        return _refuse(request, 413, _("The form sent was too large to be a cookie choice."))
    state = consent_for(request)
    form = ChoiceForm(request.POST, groups=state.groups)
    if not form.is_valid():
        return _refuse(request, 400, _("The form sent was not a cookie choice this site understands."))

    chosen = form.selected()
    if action in ("accept", "decline") and not chosen:
        # Accepting or declining no category decides nothing: a record of it would prove a
        # choice never made (a "custom" one, on the dashboard and on a receipt).
        return _refuse(request, 400, _("The form sent was not a cookie choice this site understands."))
    optional = state.groups.optional_names
    decisions: dict[str, bool | None] = dict(state.stored)
    if action == "accept":
        decisions.update(dict.fromkeys(chosen, True))
    elif action == "decline":
        decisions.update(dict.fromkeys(chosen, False))
    elif action == "save":
        decisions = {name: name in chosen for name in optional}
    else:
        decisions = dict.fromkeys(optional, False)

    source, shown = choices.read_form_context(form.cleaned_data["context"])
    if action == "withdraw":
        source = ConsentRecord.Source.WITHDRAWAL
    try:
        choices.record_choice(request, state, decisions=decisions, source=source, shown=shown)
    except DatabaseError:
        logger.exception("could not record a cookie choice")
        return _refuse(request, 503, _("Your choice could not be saved just now. Please try again."))

    if wants_json(request):
        response = JsonResponse(
            {
                "accepted": list(state.accepted),
                "declined": [name for name, on in state.effective.items() if not on],
                "gpc": state.gpc,
                "consent_mode": consent_mode.values(state.groups, state.accepted),
                "message": _("Your cookie choices have been saved."),
            }
        )
    else:
        settings_page = reverse("cookie_consent_cookie_group_list") + "?saved=1"
        # 303: the browser follows with a GET, so reloading never posts the choice again.
        response = HttpResponseRedirect(safe_next(request, form.cleaned_data["next"], settings_page), status=303)
    choices.remember(response, state)
    patch_cache_control(response, no_store=True)
    return response


@require_safe
def cookie_settings(request):
    """Every group with its cookies and a switch, the visitor's consent id and last choice."""
    state = consent_for(request)
    locked = set(rules.gpc_groups(state.groups.optional_names)) if state.gpc else set()
    groups = [
        {
            "info": group,
            "on": group.required or state.effective.get(group.varname, False),
            "locked": group.varname in locked,
        }
        for group in state.groups.groups
    ]
    history = []
    if state.consent_id:
        try:
            history = list(ConsentRecord.objects.for_consent_id(state.consent_id)[: receipts.HISTORY_LIMIT])
        except DatabaseError:
            logger.exception("could not read a consent history")  # the page still lets them choose
    return render(
        request,
        "cookies/settings.html",
        {
            "groups": groups,
            "history": history,
            "state": state,
            "saved": request.GET.get("saved") == "1",
            "here": request.path,
            "form_context": choices.form_context(ConsentRecord.Source.SETTINGS, ()),
        },
    )


# django-cookie-consent's status endpoint (for its JavaScript cookiebar); it reads the
# verified decisions the middleware hands it. It returns a CSRF token: never cache it.
status = never_cache(require_safe(CookieStatusView.as_view()))


@require_safe
def gpc_json(request):
    """Declare that this site honours Global Privacy Control (GPC, section 3.4)."""
    response = JsonResponse({"gpc": True, "lastUpdate": settings.CONSENT_GPC_LAST_UPDATE})
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response


@require_safe
def demo_pixel(request):
    """The demo analytics for browsers without JavaScript: its cookie, only with consent."""
    response = HttpResponse(PIXEL, content_type="image/gif")
    state = consent_for(request)
    if state.effective.get("analytics") and DEMO_COOKIE not in request.COOKIES:
        response.set_cookie(
            DEMO_COOKIE,
            secrets.token_hex(8),
            max_age=DEMO_COOKIE_DAYS * 24 * 60 * 60,
            secure=request.is_secure(),
            samesite="Lax",
        )
    patch_cache_control(response, no_store=True)
    return response


def _own_record(request) -> ConsentRecord:
    """A record of the consent id in this browser's signed cookie: ?record=<number>, else
    the latest. Anything else is a 404: a receipt is for the browser that made the choice."""
    state = consent_for(request)
    if not state.consent_id:
        raise Http404(_("This browser has no consent record."))
    records = ConsentRecord.objects.for_consent_id(state.consent_id)
    wanted = request.GET.get("record", "")
    if wanted:
        # ASCII digits only: isdigit() also takes "²", which int() refuses.
        if not (wanted.isascii() and wanted.isdigit()) or len(wanted) > 18:
            raise Http404(_("No such record for this browser."))
        records = records.filter(pk=int(wanted))
    record = records.first()
    if record is None:
        raise Http404(_("No such record for this browser."))
    return record


def _private(response):
    # Per browser, and personal: never in a shared cache, nor kept by the browser's.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def receipt_json(request):
    """This browser's consent receipt, in the Kantara Consent Receipt v1.1 format."""
    record = _own_record(request)
    response = JsonResponse(receipts.kantara(record, consent_for(request).groups), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{receipts.filename(record)}"'
    return _private(response)


@require_safe
def receipt_page(request):
    """The same receipt as a page to print or save."""
    record = _own_record(request)
    groups = consent_for(request).groups
    context = {
        "record": record,
        "receipt": receipts.kantara(record, groups),
        "purposes": [(p, receipts.decision_text(p.accepted)) for p in receipts.purposes(record, groups)],
    }
    return _private(render(request, "cookies/receipt.html", context))
