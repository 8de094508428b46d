"""Consent rates for the admin dashboard: aggregate queries only, never a row per record.

Every record falls in one outcome: a withdrawal, a GPC signal (recorded on its own), else
accept all, reject all or a custom choice. The dashboard counts outcomes by week, region
(the subdivision where one is known, else the country), language and source, over a
period and optional filters. On PostgreSQL one statement computes the four breakdowns
(GROUPING SETS: one pass over the period's rows, through the covering index of migration
0008); elsewhere one grouped query per breakdown.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Case, CharField, Count, F, Value, When
from django.db.models.functions import Coalesce, NullIf, TruncWeek
from django.utils.translation import gettext_lazy as _

from .models import ConsentRecord

OUTCOMES = (
    ("accept", _("Accept all")),
    ("reject", _("Reject all")),
    ("custom", _("Custom")),
    ("withdrawal", _("Withdrawal")),
    ("gpc", _("GPC signal")),
)
DIMENSIONS = (
    ("week", _("Week")),
    ("region", _("Region")),
    ("language", _("Language")),
    ("source", _("Source")),
)
GROUPING_SETS_SQL = (
    "SELECT GROUPING(week, region, language, source) AS g, week, region, language, source, outcome, "
    "COUNT(*) FROM ({inner}) AS r "
    "GROUP BY GROUPING SETS ((week, outcome), (region, outcome), (language, outcome), (source, outcome))"
)
# The largest regions and languages are shown one by one, the rest together.
MAX_ROWS = 25
OTHER = "~other"


@dataclass(frozen=True)
class Filters:
    since: datetime.datetime
    until: datetime.datetime
    region: str = ""
    language: str = ""
    source: str = ""


@dataclass
class Row:
    key: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rate(self, outcome: str) -> float:
        total = self.total
        return self.counts.get(outcome, 0) / total if total else 0.0


@dataclass
class Report:
    filters: Filters
    by: dict[str, list[Row]]  # dimension → rows

    @property
    def overall(self) -> Row:
        row = Row("all")
        for each in self.by.get("source", []):
            for outcome, n in each.counts.items():
                row.counts[outcome] = row.counts.get(outcome, 0) + n
        return row


def outcome_expression():
    return Case(
        When(source=ConsentRecord.Source.WITHDRAWAL, then=Value("withdrawal")),
        When(source=ConsentRecord.Source.GPC, then=Value("gpc")),
        When(decision=ConsentRecord.Decision.ACCEPTED_ALL, then=Value("accept")),
        When(decision=ConsentRecord.Decision.REJECTED_ALL, then=Value("reject")),
        default=Value("custom"),
        output_field=CharField(),
    )


def region_expression():
    return Coalesce(NullIf(F("subdivision"), Value("")), F("country"), output_field=CharField())


def dimension_expression(name: str):
    return {
        "week": TruncWeek("created_at", tzinfo=datetime.timezone.utc),
        "region": region_expression(),
        "language": F("language"),
        "source": F("source"),
    }[name]


def records(filters: Filters):
    found = ConsentRecord.objects.filter(created_at__gte=filters.since, created_at__lt=filters.until)
    if filters.region:
        region = filters.region.upper()
        found = found.filter(subdivision=region) if "-" in region else found.filter(country=region)
    if filters.language:
        found = found.filter(language=filters.language)
    if filters.source:
        found = found.filter(source=filters.source)
    return found.order_by()


def report(filters: Filters) -> Report:
    """Count the outcomes of the period's records by each dimension."""
    queryset = records(filters)
    connection = connections[router.db_for_read(ConsentRecord)]
    if connection.vendor == "postgresql":
        counted = _counts_grouping_sets(queryset, connection)
    else:
        counted = {name: _counts_orm(queryset, name) for name, _label in DIMENSIONS}
    return Report(filters, {name: _rows(name, counted.get(name, [])) for name, _label in DIMENSIONS})


def _counts_orm(queryset, name: str) -> list[tuple]:
    rows = (
        queryset.annotate(key=dimension_expression(name), outcome=outcome_expression())
        .values_list("key", "outcome")
        .annotate(n=Count("*"))
    )
    return list(rows)


def _counts_grouping_sets(queryset, connection) -> dict[str, list[tuple]]:
    """One pass: GROUPING SETS over the four dimensions (the ORM cannot say GROUPING SETS)."""
    annotated = queryset.annotate(
        week=dimension_expression("week"),
        region=region_expression(),
        outcome=outcome_expression(),
    ).values("week", "region", "language", "source", "outcome")
    inner, params = annotated.query.sql_with_params()
    # The ORM's own SQL, its values passed as parameters: nothing here comes from the request.
    sql = GROUPING_SETS_SQL.format(inner=inner)
    # GROUPING() bits, most significant first: week, region, language, source (1 = not grouped).
    which = {0b0111: ("week", 1), 0b1011: ("region", 2), 0b1101: ("language", 3), 0b1110: ("source", 4)}
    counted: dict[str, list[tuple]] = {name: [] for name, _label in DIMENSIONS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            name, column = which[row[0]]
            counted[name].append((row[column], row[5], row[6]))
    return counted


def _rows(name: str, counted: list[tuple]) -> list[Row]:
    by_key: dict[str, Row] = {}
    for key, outcome, n in counted:
        if name == "week":
            key = key.date().isoformat() if key is not None else ""
        key = key or ""
        by_key.setdefault(key, Row(key)).counts[outcome] = n
    if name == "week":
        return sorted(by_key.values(), key=lambda row: row.key)
    rows = sorted(by_key.values(), key=lambda row: (-row.total, row.key))
    if len(rows) > MAX_ROWS:
        rest = Row(OTHER)
        for row in rows[MAX_ROWS - 1 :]:
            for outcome, n in row.counts.items():
                rest.counts[outcome] = rest.counts.get(outcome, 0) + n
        rows = [*rows[: MAX_ROWS - 1], rest]
    return rows
