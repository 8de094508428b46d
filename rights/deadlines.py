"""Due dates from the deadline table, counted on the legal calendar (LEGAL_TIME_ZONE).

Business days skip Saturdays and Sundays only; public holidays differ per place and are not
counted, so a business-day deadline may come a day or two before the law's.
"""

import calendar
import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .choices import Law, Unit
from .models import DeadlineRule

# If the table has lost every row that could apply: the most common statutory month.
FALLBACK = (30, Unit.CALENDAR_DAYS)


def legal_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.NOTICES_LEGAL_TIME_ZONE)).date()


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def add(start: datetime.date, amount: int, unit: str) -> datetime.date:
    if unit == Unit.MONTHS:
        return add_months(start, amount)
    if unit == Unit.BUSINESS_DAYS:
        return add_business_days(start, amount)
    return start + datetime.timedelta(days=amount)


def rule_for(*, jurisdiction: str, request_type: str) -> DeadlineRule | None:
    """The most specific rule: this type here, any type here, this type elsewhere, any elsewhere."""
    candidates = DeadlineRule.objects.filter(
        jurisdiction__in={jurisdiction, Law.OTHER}, request_type__in={request_type, ""}
    )
    ranked = sorted(candidates, key=lambda r: (r.jurisdiction != jurisdiction, r.request_type != request_type))
    return ranked[0] if ranked else None


@dataclass(frozen=True)
class Deadline:
    acknowledge_by: datetime.date | None
    due_date: datetime.date
    extension: int
    extension_unit: str
    summary: str


def request_deadline(*, jurisdiction: str, located: str, request_type: str, verified_at: datetime.datetime) -> Deadline:
    """The deadline of a request: its declared jurisdiction's, or where it was made when sooner.

    Where the requester *is* decides deadlines (DESIGN §5); the residence they declare can
    only bring one forward, never push it back. The sooner due date wins with its rule's
    extension; the earlier acknowledgement date of the two applies, since both laws do.
    """
    declared = deadline_for(jurisdiction=jurisdiction, request_type=request_type, verified_at=verified_at)
    if not located or located == jurisdiction:
        return declared
    there = deadline_for(jurisdiction=located, request_type=request_type, verified_at=verified_at)
    chosen, other = (there, declared) if there.due_date < declared.due_date else (declared, there)
    acknowledge = [d for d in (declared.acknowledge_by, there.acknowledge_by) if d is not None]
    return Deadline(
        min(acknowledge) if acknowledge else None,
        chosen.due_date,
        chosen.extension,
        chosen.extension_unit,
        (_("%(rule)s; sooner than %(other)s") % {"rule": chosen.summary, "other": other.summary})[:200]
        if chosen.due_date < other.due_date
        else chosen.summary,
    )


def deadline_for(*, jurisdiction: str, request_type: str, verified_at: datetime.datetime) -> Deadline:
    """The deadlines of a request verified at ``verified_at``, counted from that legal day."""
    start = legal_date(verified_at)
    rule = rule_for(jurisdiction=jurisdiction, request_type=request_type)
    if rule is None:
        amount, unit = FALLBACK
        return Deadline(None, add(start, amount, unit), 0, "", f"{amount} {Unit(unit).label} (fallback)")
    acknowledge_by = (
        add(start, rule.acknowledge_within, rule.acknowledge_unit) if rule.acknowledge_within is not None else None
    )
    summary = f"{rule}: {rule.respond_within} {Unit(rule.respond_unit).label}"
    if rule.extension:
        summary += f" (+{rule.extension} {Unit(rule.extension_unit).label})"
    return Deadline(
        acknowledge_by,
        add(start, rule.respond_within, rule.respond_unit),
        rule.extension,
        rule.extension_unit if rule.extension else "",
        summary[:200],
    )
