"""Consent records as CSV, one row at a time: shared by the admin action and the command."""

import csv

from .models import ConsentRecord

HEADER = [
    "consent_id",
    "created_at",
    "source",
    "decision",
    "accepted",
    "declined",
    "undecided",
    "group_versions",
    "policy_version",
    "jurisdictions",
    "location_source",
    "consent_model",
    "gpc",
    "language",
    "ip_prefix",
    "user_agent",
    "country",
    "subdivision",
    "addenda_shown",
]
# A cell starting with one of these is a formula to a spreadsheet; user agents are
# whatever the visitor's browser sent.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row(record: ConsentRecord) -> list[str]:
    groups = dict(sorted(record.groups.items()))
    undecided = [name for name, value in groups.items() if value.get("accepted") is None]
    return [
        _cell(value)
        for value in (
            record.consent_id,
            record.created_at.isoformat(),
            record.source,
            record.decision,
            " ".join(record.accepted),
            " ".join(record.declined),
            " ".join(undecided),
            " ".join(f"{name}={value.get('version', '')}" for name, value in groups.items()),
            record.policy_version.isoformat() if record.policy_version else "",
            record.jurisdictions,
            record.location_source,
            record.consent_model,
            "1" if record.gpc else "0",
            record.language,
            record.ip_prefix,
            record.user_agent,
            record.country,
            record.subdivision,
            record.shown,
        )
    ]


class Echo:
    """A file-like object whose write() returns the line, for streaming responses."""

    def write(self, value):
        return value


def lines(queryset, *, chunk_size: int = 2000):
    """Yield the header and then every record as CSV text, holding one chunk at a time."""
    writer = csv.writer(Echo(), lineterminator="\n")
    yield writer.writerow(HEADER)
    for record in queryset.in_export_order().iterator(chunk_size=chunk_size):
        yield writer.writerow(row(record))
