"""Consent rates for the admin dashboard: aggregates only, never a row per record.

Every record falls in one outcome: a withdrawal, a GPC signal (recorded on its own), else
accept all, reject all or a custom choice. The dashboard counts outcomes by week, region
(the subdivision where one is known, else the country), language and source, over whole
weeks (Monday to Sunday, UTC) and optional filters.

Complete weeks are read from ConsentWeeklyCount, which services.consent_weeks_count fills
once per week from the records (the daily task; the dashboard view for a week it finds
missing); only the
current week is counted from the records themselves. So a view costs a few grouped queries
over at most (weeks x regions x languages x sources x outcomes) rows, whatever the number
of records: see bench/consent_dashboard.py.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ConsentRecord, ConsentWeeklyCount

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
# The largest regions and languages are shown one by one, the rest together.
MAX_ROWS = 25
OTHER = "~other"
WEEK = datetime.timedelta(days=7)


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(monday(day), datetime.time(), tzinfo=datetime.timezone.utc)


@dataclass(frozen=True)
class Filters:
    first_week: datetime.date  # a Monday
    last_week: datetime.date  # a Monday; the period ends the Sunday after it
    region: str = ""  # "DE" (the whole country) or "US-CO"
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

    def add(self, outcome: str, n: int) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + n


@dataclass
class Report:
    filters: Filters
    by: dict[str, list[Row]]  # dimension → rows

    @property
    def overall(self) -> Row:
        row = Row("all")
        for each in self.by.get("source", []):
            for outcome, n in each.counts.items():
                row.add(outcome, n)
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


def _region_q(region: str) -> Q:
    region = region.upper()
    return Q(region=region) if "-" in region else Q(region=region) | Q(region__startswith=f"{region}-")


def _filtered(queryset, filters: Filters):
    if filters.region:
        queryset = queryset.filter(_region_q(filters.region))
    if filters.language:
        queryset = queryset.filter(language=filters.language)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    return queryset


def records_of(start: datetime.datetime, end: datetime.datetime):
    """The records of a period, with the columns the counts use (region, outcome)."""
    return (
        ConsentRecord.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .annotate(region=region_expression(), outcome=outcome_expression())
    )


def report(filters: Filters, *, now: datetime.datetime | None = None) -> Report:
    """Count the outcomes of the period's records by each dimension."""
    now = now or timezone.now()
    current = monday(now.date())
    by = {name: {} for name, _label in DIMENSIONS}

    def count(name, key, outcome, n):
        by[name].setdefault(key, Row(key)).add(outcome, n)

    complete = _filtered(
        ConsentWeeklyCount.objects.filter(
            week__gte=filters.first_week, week__lte=min(filters.last_week, current - WEEK), count__gt=0
        ),
        filters,
    ).order_by()
    for name, _label in DIMENSIONS:
        for key, outcome, n in complete.values_list(name, "outcome").annotate(n=Sum("count")):
            count(name, key.isoformat() if name == "week" else key, outcome, n)
    if filters.first_week <= current <= filters.last_week:
        live = _filtered(records_of(week_start(current), week_start(current) + WEEK), filters)
        for name, _label in DIMENSIONS:
            if name == "week":
                for outcome, n in live.values_list("outcome").annotate(n=Count("*")):
                    count("week", current.isoformat(), outcome, n)
            else:
                for key, outcome, n in live.values_list(name, "outcome").annotate(n=Count("*")):
                    count(name, key, outcome, n)
    return Report(filters, {name: _rows(name, rows) for name, rows in by.items()})


def _rows(name: str, by_key: dict[str, Row]) -> list[Row]:
    if name == "week":
        return sorted(by_key.values(), key=lambda row: row.key)
    rows = sorted(by_key.values(), key=lambda row: (-row.total, row.key))
    if len(rows) > MAX_ROWS:
        rest = Row(OTHER)
        for row in rows[MAX_ROWS - 1 :]:
            for outcome, n in row.counts.items():
                rest.add(outcome, n)
        rows = [*rows[: MAX_ROWS - 1], rest]
    return rows
