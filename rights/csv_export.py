"""Requests as CSV for the regulator, streamed one row at a time (admin action and command)."""

import csv
import json

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
]
# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def rows(queryset):
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for r in (
        queryset.select_related("assignee").prefetch_related("replies").order_by("received_at").iterator(chunk_size=500)
    ):
        yield writer.writerow(
            [
                _cell(v)
                for v in (
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
                )
            ]
        )


def json_chunks(data):
    yield from json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(data)
