"""Consent receipts: one record as a Kantara Initiative Consent Receipt (v1.1) and as a page.

A receipt is built from the record alone (what was decided, under which group versions and
policy version, where, how) plus the controller's details from the settings; the group
names are today's, translated, with the record's group version beside each. Only records
of the consent id in the browser's signed cookie are ever looked up (views.receipt_*).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import ConsentRecord
from .selectors import Catalogue

VERSION = "KI-CR-v1.1.0"
HISTORY_LIMIT = 200


def collection_method(record: ConsentRecord) -> str:
    return {
        ConsentRecord.Source.BANNER: _("Cookie banner on the website"),
        ConsentRecord.Source.SETTINGS: _("Cookie settings page on the website"),
        ConsentRecord.Source.GPC: _("Global Privacy Control signal sent by the browser"),
        ConsentRecord.Source.WITHDRAWAL: _("Withdrawal on the cookie settings page"),
    }.get(record.source, _("Form on the website"))


def jurisdiction(record: ConsentRecord) -> str:
    """Where the visitor was: the subdivision, else the country; if unknown, say so."""
    if record.subdivision or record.country:
        return record.subdivision or record.country
    return _("Unknown location: the strictest rules applied")


def policy_url(record: ConsentRecord) -> str:
    if record.policy_version is None:
        return settings.SITE_URL + reverse("notices:version_list")
    return settings.SITE_URL + reverse("notices:version_detail", args=[record.policy_version])


@dataclass(frozen=True)
class Purpose:
    varname: str
    name: str
    required: bool
    accepted: bool | None
    version: str


def purposes(record: ConsentRecord, groups: Catalogue) -> list[Purpose]:
    found = []
    for varname, value in sorted(record.groups.items(), key=lambda item: _order(groups, item[0])):
        group = groups.by_varname.get(varname)
        found.append(
            Purpose(
                varname=varname,
                name=_(group.name) if group else varname,
                required=bool(value.get("required")),
                accepted=value.get("accepted"),
                version=value.get("version", ""),
            )
        )
    return found


def _order(groups: Catalogue, varname: str) -> tuple[int, str]:
    names = [g.varname for g in groups.groups]
    return (names.index(varname) if varname in names else len(names), varname)


def decision_text(accepted: bool | None) -> str:
    if accepted is True:
        return _("Accepted")
    if accepted is False:
        return _("Refused")
    return _("Not decided")


def kantara(record: ConsentRecord, groups: Catalogue) -> dict:
    """The record as a Kantara Consent Receipt v1.1 document (extensions: decision, version)."""
    controller = settings.CONSENT_RECEIPT_CONTROLLER
    termination = _("Until withdrawn on the cookie settings page, and at most %(days)d days.") % {
        "days": settings.CONSENT_MAX_AGE_DAYS
    }
    return {
        "version": VERSION,
        "jurisdiction": jurisdiction(record),
        "consentTimestamp": int(record.created_at.timestamp()),
        "collectionMethod": collection_method(record),
        "consentReceiptID": record.consent_id,
        "language": record.language,
        "piiPrincipalId": record.consent_id,
        "piiControllers": [
            {
                "piiController": controller["name"],
                "contact": controller["contact"],
                "address": controller["address"],
                "email": controller["email"],
                "phone": controller["phone"],
                "piiControllerUrl": settings.SITE_URL,
            }
        ],
        "policyUrl": policy_url(record),
        "services": [
            {
                "service": _("Cookies on %(site)s") % {"site": settings.SITE_URL},
                "purposes": [
                    {
                        "purpose": purpose.name,
                        "purposeCategory": [purpose.varname],
                        "consentType": _consent_type(record, purpose),
                        "piiCategory": [_("Cookie identifiers and browsing activity")],
                        "primaryPurpose": purpose.required,
                        "termination": termination,
                        "thirdPartyDisclosure": False,
                        # Extensions: what was decided, and under which version of the group.
                        "consentGiven": purpose.accepted,
                        "groupVersion": purpose.version,
                    }
                    for purpose in purposes(record, groups)
                ],
            }
        ],
        "sensitive": False,
        "spiCat": [],
        # Extensions: the record itself, so the receipt can be matched to the proof.
        "recordSource": record.source,
        "recordDecision": record.decision,
        "consentModel": record.consent_model,
        "gpc": record.gpc,
        "policyVersion": record.policy_version.isoformat() if record.policy_version else None,
    }


def _consent_type(record: ConsentRecord, purpose: Purpose) -> str:
    if purpose.required or record.source == ConsentRecord.Source.GPC:
        return "IMPLICIT"
    return "EXPLICIT"


def filename(record: ConsentRecord) -> str:
    stamp = record.created_at.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"consent-receipt-{record.consent_id}-{stamp}.json"
