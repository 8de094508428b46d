"""Which consent model applies where, and what a Global Privacy Control signal changes."""

from django.conf import settings

OPT_IN = "opt-in"
OPT_OUT = "opt-out"


def consent_model(jurisdictions: tuple[str, ...]) -> str:
    """Opt-in where any applicable region requires it, else the setting for other regions.

    An unknown location lists every region, so it gets the strictest model.
    """
    if set(jurisdictions) & set(settings.CONSENT_OPT_IN_JURISDICTIONS):
        return OPT_IN
    return OPT_OUT if settings.CONSENT_OTHER_REGIONS == OPT_OUT else OPT_IN


def shows_do_not_sell(jurisdictions: tuple[str, ...]) -> bool:
    return bool(set(jurisdictions) & set(settings.CONSENT_DO_NOT_SELL_JURISDICTIONS))


def gpc_groups(optional_names) -> tuple[str, ...]:
    return tuple(name for name in settings.CONSENT_GPC_GROUPS if name in optional_names)


def apply_gpc(decisions: dict, *, gpc: bool, optional_names) -> dict:
    """Refuse the groups a GPC signal covers; the signal overrides any earlier choice."""
    if gpc:
        for name in gpc_groups(optional_names):
            decisions[name] = False
    return decisions
