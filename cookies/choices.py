"""Record a choice and remember it in the browser: shared by the views and the GPC path.

Everything a record says about the visitor comes from the server: where they are (the
visitor's location), which addenda the page showed and which form it was (a value the
server signed into the form when it served the page), never a field as the client posted it.
"""

from django.core import signing
from django.utils import timezone
from django.utils.translation import get_language

from core.visitor import visitor_for
from notices import selectors as notices_selectors

from . import network, rules, services
from .models import ConsentRecord
from .state import ConsentState, new_consent_id, write

CONTEXT_SALT = "cookies.form-context"
FORM_SOURCES = (ConsentRecord.Source.BANNER, ConsentRecord.Source.SETTINGS)


def form_context(source: str, shown: tuple[str, ...]) -> str:
    """The signed value a form carries: which form it is and the addenda its page showed."""
    return signing.Signer(salt=CONTEXT_SALT).sign(f"{source}|{','.join(shown)}")


def read_form_context(value: str) -> tuple[str, tuple[str, ...]]:
    """(source, addenda shown) from a posted form; UNKNOWN and () unless the server signed it."""
    try:
        source, _sep, shown = signing.Signer(salt=CONTEXT_SALT).unsign(value or "").partition("|")
    except signing.BadSignature:
        return ConsentRecord.Source.UNKNOWN, ()
    if source not in FORM_SOURCES:
        return ConsentRecord.Source.UNKNOWN, ()
    return source, tuple(code for code in shown.split(",") if code)


def visitor(request, state: ConsentState, *, shown: tuple[str, ...]) -> services.Visitor:
    location = state.location
    return services.Visitor(
        jurisdictions=state.jurisdictions,
        location_source=location.source,
        country=location.country or "",
        subdivision=location.subdivision or "",
        shown=shown,
        consent_model=state.model,
        gpc=state.gpc_signal,
        language=get_language() or "",
        user_agent=network.truncated_user_agent(request),
        ip_prefix=visitor_for(request).network,
    )


def policy_in_force():
    return notices_selectors.in_force_date(on=notices_selectors.legal_today())


def record_choice(
    request, state: ConsentState, *, decisions: dict, source: str, shown: tuple[str, ...]
) -> ConsentRecord:
    """Append the proof of a choice and make it the request's state; ``remember`` then sets the
    cookies, so a browser never holds a choice that has no record.

    The GPC signal overrides whatever was asked for the groups it covers.
    """
    decisions = rules.apply_gpc(dict(decisions), gpc=state.gpc, optional_names=state.groups.optional_names)
    consent_id = state.consent_id or new_consent_id()
    now = timezone.now()
    record = services.consent_record(
        consent_id=consent_id,
        decisions=decisions,
        source=source,
        groups=state.groups,
        visitor=visitor(request, state, shown=shown),
        policy_version=policy_in_force(),
        at=now,
    )
    state.chosen(consent_id=consent_id, decisions=decisions, at=now)
    request._consent_recorded = True
    return record


def remember(response, state: ConsentState) -> None:
    write(
        response,
        consent_id=state.consent_id,
        decisions=state.stored,
        groups=state.groups,
        at=state.proof.decided_at,
    )
