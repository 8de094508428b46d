"""Requests as CSV for the regulator, streamed one row at a time (admin action and command)."""

import json

from core.spreadsheet import stream

HEADER = [
    "reference",
    "type",
    "jurisdiction",
    "status",
    "received_at",
    "verified_at",
    "acknowledged_at",
    "due_date",
    "extended_at",
    "closed_at",
    "by_agent",
    "assignee",
    "replies",
    # Added later: at the end, so spreadsheets that read columns by position keep working.
    "located_jurisdiction",
]


def _cell(value) -> str:
    return "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))


def rows(queryset):
    requests = (
        queryset.select_related("assignee").prefetch_related("replies").order_by("received_at").iterator(chunk_size=500)
    )
    return stream(HEADER, (_row(r) for r in requests))


def _row(r) -> list[str]:
    values = (
        r.reference,
        r.request_type,
        r.jurisdiction,
        r.status,
        r.received_at,
        r.verified_at,
        r.acknowledged_at,
        r.due_date,
        r.extended_at,
        r.closed_at,
        "yes" if r.by_agent else "no",
        r.assignee.get_username() if r.assignee else "",
        len(r.replies.all()),
        r.located_jurisdiction,
    )
    return [_cell(v) for v in values]


def json_chunks(data):
    yield from json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(data)
