"""Each browser's consent as two cookies, verified on every request.

* ``cookie_consent`` (django-cookie-consent's format, ``analytics=<version>|advertising=-1``)
  holds the decision per group, so the package's template tags and status view keep working;
* ``consent_id`` holds ``<random id>.<time of the choice>.<digest of cookie_consent>``,
  signed with SECRET_KEY.

The decisions count only when the signature holds, the digest matches and the choice is
younger than its maximum age. Anything else (an edited, garbled, truncated or stale cookie)
counts as no choice at all, so the banner asks again. An accepted group whose version has
changed since (a cookie was added) counts as undecided, as in the package.
"""

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass

from cookie_consent.util import dict_to_cookie_str, parse_cookie_str, set_cookie_dict_to_response
from django.conf import settings
from django.core import signing
from django.utils import timezone

from core.visitor import visitor_for
from notices.geo import jurisdictions_at

from . import rules
from .selectors import Catalogue, catalogue

SALT = "cookies.consent-id"
ID_RE = re.compile(r"^[0-9a-f]{32}$")
DIGEST_RE = re.compile(r"^[0-9a-f]{16}$")
# A real decisions cookie is a few dozen bytes; anything far larger is not ours.
MAX_COOKIE_LENGTH = 1024
DECLINE = "-1"


def new_consent_id() -> str:
    return secrets.token_hex(16)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Proof:
    """What the consent id cookie vouches for."""

    consent_id: str
    decided_at: datetime.datetime
    digest: str


def read_proof(raw: str | None) -> Proof | None:
    if not raw or len(raw) > MAX_COOKIE_LENGTH:
        return None
    try:
        value = signing.Signer(salt=SALT).unsign(raw)
    except signing.BadSignature:
        return None
    parts = value.split(".")
    if len(parts) != 3 or not ID_RE.match(parts[0]) or not DIGEST_RE.match(parts[2]):
        return None
    if not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    decided_at = datetime.datetime.fromtimestamp(int(parts[1]), tz=datetime.timezone.utc)
    if decided_at > timezone.now() + datetime.timedelta(days=1):
        return None
    return Proof(parts[0], decided_at, parts[2])


def sign_proof(proof: Proof) -> str:
    return signing.Signer(salt=SALT).sign(f"{proof.consent_id}.{int(proof.decided_at.timestamp())}.{proof.digest}")


def max_age(decisions: dict[str, bool]) -> datetime.timedelta:
    """How long a choice stands: shorter when it refuses any group."""
    days = settings.CONSENT_MAX_AGE_DAYS
    if False in decisions.values():
        days = min(days, settings.CONSENT_REFUSAL_MAX_AGE_DAYS)
    return datetime.timedelta(days=days)


def read_decisions(request, proof: Proof | None, groups: Catalogue) -> dict[str, bool]:
    """The verified, current decision per optional group; undecided groups are absent."""
    raw = request.COOKIES.get(settings.COOKIE_CONSENT_NAME, "")
    if proof is None or not raw or len(raw) > MAX_COOKIE_LENGTH or digest(raw) != proof.digest:
        return {}
    decisions = {}
    for varname, value in parse_cookie_str(raw).items():
        group = groups.by_varname.get(varname)
        if group is None or group.required:
            continue
        if value == DECLINE:
            decisions[varname] = False
        elif value >= group.version:
            decisions[varname] = True
    if timezone.now() - proof.decided_at > max_age(decisions):
        return {}
    return decisions


class ConsentState:
    """One request's consent: what the browser chose, and what applies to it now."""

    def __init__(self, request, groups: Catalogue):
        self.request = request
        self.groups = groups
        self.proof = read_proof(request.COOKIES.get(settings.CONSENT_ID_COOKIE_NAME))
        self.stored = read_decisions(request, self.proof, groups)
        # META, not request.headers: this runs on every request and headers copies all of META.
        self.gpc_signal = request.META.get("HTTP_SEC_GPC", "").strip() == "1"
        # Computed on first use; plain attributes, not cached_property, whose lock (Python
        # 3.11) costs more than the work on this path.
        self._jurisdictions = self._rule = self._effective = None

    @property
    def consent_id(self) -> str | None:
        return self.proof.consent_id if self.proof else None

    @property
    def decided_at(self) -> datetime.datetime | None:
        return self.proof.decided_at if self.stored and self.proof else None

    @property
    def needs_banner(self) -> bool:
        return any(name not in self.stored for name in self.groups.optional_names)

    @property
    def location(self):
        """Where the visitor is (never the region whose addendum they chose to read)."""
        return visitor_for(self.request).location

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        """The regions whose law applies where the visitor is: every one when unknown."""
        if self._jurisdictions is None:
            self._jurisdictions = jurisdictions_at(self.location)
        return self._jurisdictions

    @property
    def rule(self) -> rules.Rule:
        """The consent rule where the visitor is (the strictest when that is unknown)."""
        if self._rule is None:
            location = self.location
            self._rule = self.groups.rules.rule_for(location.country, location.subdivision)
        return self._rule

    @property
    def model(self) -> str:
        return self.rule.model

    @property
    def link_label(self) -> str:
        """The opt-out link's label where the visitor is; "" where none is shown."""
        return self.rule.link_label

    @property
    def do_not_sell(self) -> bool:
        return bool(self.rule.link_label)

    @property
    def gpc(self) -> bool:
        """A GPC signal was sent, and the visitor's rule honours it."""
        return self.gpc_signal and self.rule.honour_gpc

    @property
    def effective(self) -> dict[str, bool]:
        """Whether each optional group may run now: choice, else the region's default; GPC last."""
        if self._effective is None:
            default = self.model == rules.OPT_OUT
            result = {g.varname: self.stored.get(g.varname, default) for g in self.groups.optional}
            self._effective = rules.apply_gpc(result, gpc=self.gpc, optional_names=self.groups.optional_names)
        return self._effective

    @property
    def accepted(self) -> tuple[str, ...]:
        if not self.stored and not self.gpc and self.model == rules.OPT_IN:
            return ()  # a first visit where consent comes first: the common case, made cheap
        return tuple(name for name, on in self.effective.items() if on)

    @property
    def gpc_unrecorded(self) -> bool:
        """GPC is on, but the browser's stored choice does not refuse what it covers yet."""
        if not self.gpc:
            return False
        names = rules.gpc_groups(self.groups.optional_names)
        return any(self.stored.get(name) is not False for name in names)

    def chosen(self, *, consent_id: str, decisions: dict, at: datetime.datetime) -> None:
        """Make a choice just recorded the state for the rest of this request."""
        self.stored = {name: on for name, on in decisions.items() if on is not None}
        value = dict_to_cookie_str(encode_decisions(self.stored, self.groups))
        self.proof = Proof(consent_id, at.replace(microsecond=0), digest(value))
        self._effective = None

    def package_cookie_value(self) -> str:
        """The decisions as the package should see them: verified, with GPC applied."""
        stored = rules.apply_gpc(dict(self.stored), gpc=self.gpc, optional_names=self.groups.optional_names)
        return dict_to_cookie_str(encode_decisions(stored, self.groups))


def encode_decisions(decisions: dict[str, bool | None], groups: Catalogue) -> dict[str, str]:
    """Decisions in the package's terms: the group's version when accepted, -1 when refused."""
    values = {}
    for group in groups.optional:
        decided = decisions.get(group.varname)
        if decided is True:
            values[group.varname] = group.version
        elif decided is False:
            values[group.varname] = DECLINE
    return values


def write(response, *, consent_id: str, decisions: dict[str, bool | None], groups: Catalogue, at) -> None:
    """Set both cookies for a recorded choice, and delete the cookies of refused groups."""
    values = encode_decisions(decisions, groups)
    value = dict_to_cookie_str(values)
    # Through the package, so name, lifetime and flags follow its COOKIE_CONSENT_* settings.
    set_cookie_dict_to_response(response, values)
    _set_id_cookie(response, Proof(consent_id, at, digest(value)))
    refused = {name for name, on in decisions.items() if on is False}
    for name, (varname, cookie) in groups.refusable_cookies.items():
        if varname in refused:
            response.delete_cookie(name, path=cookie.path, domain=cookie.domain or None, samesite="Lax")


def write_pending_id(response, consent_id: str) -> None:
    """Give a browser a consent id before any choice (no decisions cookie, no record yet).

    Its digest is that of an empty decisions cookie, so it vouches for no decision; the
    first record made for this browser carries the id.
    """
    _set_id_cookie(response, Proof(consent_id, timezone.now(), digest("")))


def _set_id_cookie(response, proof: Proof) -> None:
    response.set_cookie(
        settings.CONSENT_ID_COOKIE_NAME,
        sign_proof(proof),
        max_age=settings.COOKIE_CONSENT_MAX_AGE,
        domain=settings.COOKIE_CONSENT_DOMAIN,
        secure=settings.COOKIE_CONSENT_SECURE,
        httponly=True,
        samesite="Lax",
    )


def consent_for(request) -> ConsentState:
    """The request's consent state, computed once."""
    state = getattr(request, "_consent_state", None)
    if state is None:
        state = request._consent_state = ConsentState(request, catalogue())
    return state
