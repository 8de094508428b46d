"""Consent records as CSV, one row at a time: shared by the admin action and the command."""

from core.spreadsheet import safe_cell, stream

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


def _cell(value) -> str:
    # User agents are whatever the visitor's browser sent: never a formula in a spreadsheet.
    return safe_cell("" if value is None else str(value))


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


def lines(queryset, *, chunk_size: int = 2000):
    """Yield the header and then every record as CSV text, holding one chunk at a time."""
    records = queryset.in_export_order().iterator(chunk_size=chunk_size)
    return stream(HEADER, (row(record) for record in records), lineterminator="\n")
