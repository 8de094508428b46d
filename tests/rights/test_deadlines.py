"""The deadline table and how due dates are counted on the legal calendar."""

import datetime

import pytest

from rights.deadlines import add_business_days, add_months, deadline_for, request_deadline
from rights.models import DeadlineRule

pytestmark = pytest.mark.django_db
# Friday 5 March 2027, 10:00 in Singapore (the default LEGAL_TIME_ZONE): 02:00 UTC.
FRIDAY = datetime.datetime(2027, 3, 5, 2, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "law,kind,due,acknowledge",
    [
        ("eea-uk", "access", datetime.date(2027, 4, 5), None),
        ("us-ca", "deletion", datetime.date(2027, 4, 19), datetime.date(2027, 3, 19)),  # 45 days; 10 business days
        ("us-ca", "opt-out", datetime.date(2027, 3, 26), None),  # 15 business days
        ("kr", "access", datetime.date(2027, 3, 15), None),
        ("au", "correction", datetime.date(2027, 4, 4), None),
        ("ph", "access", datetime.date(2027, 4, 4), None),
        ("other", "complaint", datetime.date(2027, 4, 4), None),
    ],
)
def test_default_table(law, kind, due, acknowledge):
    deadline = deadline_for(jurisdiction=law, request_type=kind, verified_at=FRIDAY)
    assert (deadline.due_date, deadline.acknowledge_by) == (due, acknowledge)


def test_extensions_per_law():
    assert deadline_for(jurisdiction="eea-uk", request_type="access", verified_at=FRIDAY).extension == 2
    assert deadline_for(jurisdiction="us-ca", request_type="access", verified_at=FRIDAY).extension == 45
    assert deadline_for(jurisdiction="kr", request_type="access", verified_at=FRIDAY).extension == 0


def test_the_legal_day_counts_not_utcs():
    # 20:00 UTC on Sunday is already Monday in Singapore.
    late = datetime.datetime(2027, 3, 7, 20, 0, tzinfo=datetime.UTC)
    assert deadline_for(jurisdiction="kr", request_type="access", verified_at=late).due_date == datetime.date(
        2027, 3, 18
    )


def test_an_edited_table_applies_to_requests_verified_after(settings):
    DeadlineRule.objects.filter(jurisdiction="kr").update(respond_within=7)
    assert deadline_for(jurisdiction="kr", request_type="access", verified_at=FRIDAY).due_date == datetime.date(
        2027, 3, 12
    )
    DeadlineRule.objects.all().delete()
    assert deadline_for(jurisdiction="kr", request_type="access", verified_at=FRIDAY).due_date == datetime.date(
        2027, 4, 4
    )


def test_calendar_helpers():
    assert add_months(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)
    assert add_business_days(datetime.date(2027, 3, 5), 1) == datetime.date(2027, 3, 8)


@pytest.mark.parametrize(
    "declared,located,due,acknowledge,extension",
    [
        # Made in South Korea, declared California: Korea's 10 days, California's acknowledgement.
        ("us-ca", "kr", datetime.date(2027, 3, 15), datetime.date(2027, 3, 19), 0),
        # Declared South Korea, made in California: the declared 10 days stand.
        ("kr", "us-ca", datetime.date(2027, 3, 15), datetime.date(2027, 3, 19), 0),
        # Declared elsewhere, made in the EEA: 30 days end before the EEA's month, so they stand.
        ("other", "eea-uk", datetime.date(2027, 4, 4), None, 0),
        # Location unknown: the declared jurisdiction alone.
        ("eea-uk", "", datetime.date(2027, 4, 5), None, 2),
    ],
)
def test_the_sooner_of_the_declared_and_the_located_law(declared, located, due, acknowledge, extension):
    deadline = request_deadline(jurisdiction=declared, located=located, request_type="access", verified_at=FRIDAY)
    assert (deadline.due_date, deadline.acknowledge_by, deadline.extension) == (due, acknowledge, extension)
