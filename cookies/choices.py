"""Record a choice and remember it in the browser: shared by the views and the GPC path."""

import re

from django.utils import timezone
from django.utils.translation import get_language

from notices import selectors as notices_selectors

from . import network, rules, services
from .models import ConsentRecord
from .state import ConsentState, new_consent_id, write

SHOWN_RE = re.compile(r"^[a-z0-9-]{1,20}(,[a-z0-9-]{1,20}){0,9}$")


def shown_jurisdictions(state: ConsentState, posted: str = "") -> tuple[str, ...]:
    """The regions the banner was shown for (posted back with the form), else where we locate
    the visitor now: the POST itself carries no ?jurisdiction= choice."""
    if posted and SHOWN_RE.match(posted):
        return tuple(posted.split(","))
    return state.location.jurisdictions


def visitor(request, state: ConsentState, *, shown: tuple[str, ...]) -> services.Visitor:
    return services.Visitor(
        jurisdictions=shown,
        location_source=state.location.source,
        consent_model=rules.consent_model(shown),
        gpc=state.gpc,
        language=get_language() or "",
        user_agent=network.truncated_user_agent(request),
        ip_prefix=network.truncated_network(network.client_ip(request)),
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
