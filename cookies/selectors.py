"""The cookie groups as plain data, read from the database once per cache generation.

The banner is on every page, so reading the groups must cost no SQL query and almost no
time: the catalogue goes through core.cache, whose generation is bumped whenever a group,
a cookie or its details change (CookiesConfig.ready), and each process keeps its copy for
the generation it last saw.
"""

import logging
from dataclasses import dataclass, field

from cookie_consent.models import Cookie, CookieGroup
from django.db import DatabaseError
from django.db.models import Prefetch

from core.cache import cached

from . import launch
from .models import CONSENT_MODE_TYPES, ConsentRule
from .rules import RuleBook, rule_book

logger = logging.getLogger(__name__)

# Above every version the package writes (creation timestamps): an acceptance stored in a
# cookie never counts against the fallback catalogue.
NO_VERSION_ACCEPTED = "\uffff"


@dataclass(frozen=True)
class CookieInfo:
    name: str
    description: str
    path: str
    domain: str
    lifetime_days: int | None


@dataclass(frozen=True)
class GroupInfo:
    varname: str
    name: str
    description: str
    required: bool
    deletable: bool
    version: str  # the package's: creation time of the group's newest cookie, "" if none
    cookies: tuple[CookieInfo, ...]
    consent_types: tuple[str, ...] = ()  # Google Consent Mode types this group grants


@dataclass
class Catalogue:
    groups: tuple[GroupInfo, ...]
    rules: RuleBook = field(default_factory=lambda: rule_book(()))
    # Rendered fragments (banner, footer, state) by key, filled on first use.
    fragments: dict = field(default_factory=dict)
    # The launch groups shown while the database does not answer: their versions are
    # placeholders, so nothing may be recorded against them (services.consent_record).
    stand_in: bool = False

    def __post_init__(self):
        self.optional = tuple(g for g in self.groups if not g.required)
        self.by_varname = {g.varname: g for g in self.groups}
        self.optional_names = frozenset(g.varname for g in self.optional)
        # Cookies that belong to a group the visitor may refuse, by name: what to delete.
        self.refusable_cookies = {c.name: (g.varname, c) for g in self.optional if g.deletable for c in g.cookies}


def catalogue() -> Catalogue:
    """Return the groups of the current generation (the same object within a process, so
    its memo of rendered fragments is reused)."""
    try:
        return cached(("cookie-catalogue",), _build)
    except DatabaseError:
        # Keep serving what the site is known to set: the launch groups, as loaded by
        # load_cookie_groups (an editor's later wording waits for the database). Fail closed:
        # no stored acceptance counts against this catalogue, so nothing optional runs until
        # the database answers again (the next request tries it).
        logger.warning("cookie groups unavailable: the database did not answer; showing the launch groups")
        return launch_catalogue()


def launch_catalogue() -> Catalogue:
    return Catalogue(
        tuple(
            GroupInfo(
                varname=entry["varname"],
                name=entry["name"],
                description=entry["description"],
                required=entry.get("is_required", False),
                deletable=entry.get("is_deletable", True),
                version=NO_VERSION_ACCEPTED,
                cookies=tuple(
                    CookieInfo(
                        name=item["name"],
                        description=item["description"],
                        path=item.get("path", "/"),
                        domain=item.get("domain", ""),
                        lifetime_days=item["lifetime_days"],
                    )
                    for item in sorted(entry["cookies"], key=lambda item: item["name"])
                ),
            )
            for entry in sorted(launch.groups(), key=lambda entry: entry["ordering"])
        ),
        stand_in=True,
    )


def _build() -> Catalogue:
    cookies = Cookie.objects.select_related("detail").order_by("-created", "name")
    groups = (
        CookieGroup.objects.order_by("ordering", "pk")
        .select_related("consent_mode")
        .prefetch_related(Prefetch("cookie_set", queryset=cookies, to_attr="cookie_list"))
    )
    return Catalogue(tuple(_group_info(group) for group in groups), rule_book(ConsentRule.objects.all()))


def _group_info(group: CookieGroup) -> GroupInfo:
    cookies = group.cookie_list
    return GroupInfo(
        varname=group.varname,
        name=group.name,
        description=group.description,
        required=group.is_required,
        deletable=group.is_deletable,
        # Same value as CookieGroup.get_version(), which the package compares against.
        version=cookies[0].get_version() if cookies else "",
        cookies=tuple(
            CookieInfo(
                name=c.name,
                description=c.description,
                path=c.path or "/",
                domain=c.domain,
                lifetime_days=_lifetime(c),
            )
            for c in sorted(cookies, key=lambda c: c.name)
        ),
        consent_types=_consent_types(group),
    )


def _consent_types(group: CookieGroup) -> tuple[str, ...]:
    mapping = getattr(group, "consent_mode", None)
    chosen = set(mapping.consent_types) if mapping is not None else set()
    return tuple(name for name, _label in CONSENT_MODE_TYPES if name in chosen)


def _lifetime(cookie: Cookie) -> int | None:
    detail = getattr(cookie, "detail", None)
    return detail.lifetime_days if detail is not None else None
