"""Which consent rules apply where the visitor is, and what a Global Privacy Control signal changes.

The rules are rows of ConsentRule (admin-editable; defaults from migration 0006 and
``load_cookie_groups``), read once per cache generation with the cookie groups, so finding
a visitor's rule costs two dictionary look-ups. Law follows the visitor's *location*
(core.location), never the addendum they chose to read.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_noop

OPT_IN = "opt-in"
OPT_OUT = "opt-out"
CALIFORNIA_LABEL = gettext_noop("Do Not Sell or Share My Personal Information")
OPT_OUT_LABEL = gettext_noop("Opt out of sale and targeted advertising")


@dataclass(frozen=True)
class Rule:
    code: str
    model: str
    link_label: str  # "" when no opt-out link is shown
    honour_gpc: bool


# With no rule at all (an empty table, a database that did not answer): the strictest.
STRICTEST = Rule("strictest", OPT_IN, CALIFORNIA_LABEL, True)


@dataclass(frozen=True)
class RuleBook:
    by_place: dict[str, Rule]  # "DE", "US-CO" → rule
    fallback: Rule | None  # the rule for places no rule names
    strictest: Rule  # for an unknown location

    def rule_for(self, country: str | None, subdivision: str | None) -> Rule:
        if not country:
            return self.strictest
        found = self.by_place.get(subdivision) if subdivision else None
        return found or self.by_place.get(country) or self.fallback or self.strictest


def rule_book(rows) -> RuleBook:
    """Build the look-up from ConsentRule rows in their ordering."""
    rules = []
    by_place: dict[str, Rule] = {}
    fallback = None
    for row in rows:
        rule = Rule(row.code, row.consent_model, row.link_label if row.show_link else "", row.honour_gpc)
        rules.append(rule)
        codes = row.place_codes
        if not codes:
            fallback = rule
        for code in codes:
            by_place.setdefault(code, rule)
    if not rules:
        return RuleBook({}, None, STRICTEST)
    # Unknown location: opt-in if any rule is, the first link any rule shows, GPC if any honours it.
    labels = [rule.link_label for rule in rules if rule.link_label]
    strictest = Rule(
        "strictest",
        OPT_IN if any(rule.model == OPT_IN for rule in rules) else OPT_OUT,
        labels[0] if labels else "",
        any(rule.honour_gpc for rule in rules),
    )
    return RuleBook(by_place, fallback, strictest)


def gpc_groups(optional_names) -> tuple[str, ...]:
    return tuple(name for name in settings.CONSENT_GPC_GROUPS if name in optional_names)


def apply_gpc(decisions: dict, *, gpc: bool, optional_names) -> dict:
    """Refuse the groups a GPC signal covers; the signal overrides any earlier choice.

    ``gpc`` is whether the signal counts here: sent, and honoured by the visitor's rule.
    """
    if gpc:
        for name in gpc_groups(optional_names):
            decisions[name] = False
    return decisions
