"""The consent dashboard in the admin: rates by week, region, language and source."""

import csv
import datetime
import io
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from .conftest import soup
from .test_records import make_record

pytestmark = pytest.mark.django_db
URL = "/admin/cookies/consentrecord/dashboard/"


@pytest.fixture
def records(cookie_groups):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    for i in range(3):
        make_record(
            created_at=now - i * day,
            consent_id=f"{i:032x}",
            decisions=dict.fromkeys(["functional", "analytics", "advertising"], True),
        )
    make_record(
        created_at=now - day,
        consent_id="a" * 32,
        decisions=dict.fromkeys(["functional", "analytics", "advertising"], False),
    )
    make_record(
        created_at=now - 9 * day,
        consent_id="b" * 32,
        source="withdrawal",
        country="US",
        subdivision="US-CO",
        language="ko",
        decisions=dict.fromkeys(["functional", "analytics", "advertising"], False),
    )
    make_record(
        created_at=now - 2 * day,
        consent_id="c" * 32,
        source="gpc",
        country="US",
        subdivision="US-CA",
        decisions={"advertising": False},
    )
    make_record(created_at=now - 3 * day, consent_id="d" * 32, source="settings")  # custom
    make_record(created_at=now - 200 * day, consent_id="e" * 32)  # outside the default period


def test_the_dashboard_shows_the_rates(admin_client, records):
    response = admin_client.get(URL)
    assert response.status_code == 200
    page = soup(response)
    assert "7 records in the period" in page.get_text()
    overall = [td.get_text() for td in page.select("table.dashboard-overall td")]
    assert overall[0].startswith("42.9 %") and "(3)" in overall[0]  # accept all: 3 of 7
    assert overall[3].startswith("14.3 %")  # one withdrawal
    assert overall[4].startswith("14.3 %")  # one GPC record
    for name in ("week", "region", "language", "source"):
        section = page.select_one(f"#by-{name}")
        svg = section.find("svg", class_="consent-chart")
        ElementTree.fromstring(str(svg))  # well-formed
        assert svg.find_all("rect") and not svg.find_all(attrs={"style": True})
        assert section.select("table.dashboard-table tbody tr")
    regions = [th.get_text() for th in page.select("#by-region tbody th")]
    assert regions[0] == "Germany" and "United States (CO)" in regions
    languages = [th.get_text() for th in page.select("#by-language tbody th")]
    assert "Korean" in " ".join(languages) or "한국어" in " ".join(languages)
    assert not page.select("script") or all(s.get("src") for s in page.select("script"))


def test_filters_narrow_the_numbers(admin_client, records):
    page = soup(admin_client.get(URL, {"region": "us-co"}))
    assert "1 record in the period" in page.get_text()
    page = soup(admin_client.get(URL, {"since": (timezone.now() - datetime.timedelta(days=400)).date().isoformat()}))
    assert "8 records in the period" in page.get_text()
    page = soup(admin_client.get(URL, {"source": "gpc"}))
    assert "1 record in the period" in page.get_text()


@pytest.mark.parametrize(
    "query",
    [
        {"region": "Germany"},
        {"since": "2026-13-01"},
        {"since": "2026-05-01", "until": "2026-01-01"},
        {"language": "xx"},
    ],
)
def test_bad_filters_are_a_form_error(admin_client, records, query):
    response = admin_client.get(URL, query)
    assert response.status_code == 400
    assert soup(response).select(".errorlist")


def test_the_numbers_as_csv(admin_client, records):
    response = admin_client.get(URL, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    source = {row["key"]: row for row in rows if row["dimension"] == "source"}
    assert source["banner"]["accept"] == "3" and source["banner"]["reject"] == "1"
    assert source["gpc"]["gpc_rate"] == "1.0000"
    assert {row["dimension"] for row in rows} == {"week", "region", "language", "source"}


def test_only_staff_who_may_view_records_see_it(client, records):
    assert client.get(URL).status_code == 302  # to the login
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_consentrecord"))
    assert client.get(URL).status_code == 200


def test_the_changelist_links_to_it(admin_client, records):
    assert URL.encode() in admin_client.get("/admin/cookies/consentrecord/").content


def test_complete_weeks_are_counted_once_and_outlive_pruning(admin_client, records, django_assert_max_num_queries):
    from cookies import dashboard, services
    from cookies.models import ConsentRecord, ConsentWeeklyCount

    since = (timezone.now() - datetime.timedelta(days=400)).date().isoformat()
    before = (
        soup(admin_client.get(URL, {"since": since, "format": "html"})).select_one("table.dashboard-overall").get_text()
    )
    assert ConsentWeeklyCount.objects.exists()
    assert services.consent_weeks_count() == 0  # nothing left to count
    # Records of complete weeks pruned: the dashboard's numbers for those weeks stay.
    this_week = dashboard.week_start(timezone.now().date())
    services.consents_prune(older_than=timezone.now() - this_week)
    assert not ConsentRecord.objects.filter(created_at__lt=this_week).exists()
    after = (
        soup(admin_client.get(URL, {"since": since, "format": "html"})).select_one("table.dashboard-overall").get_text()
    )
    assert after == before


def test_the_number_of_queries_does_not_grow_with_records(admin_client, records, django_assert_max_num_queries):
    admin_client.get(URL)  # counts the complete weeks
    with django_assert_max_num_queries(20):
        assert admin_client.get(URL).status_code == 200


def test_the_dashboard_says_how_long_records_are_kept(admin_client, records, settings):
    settings.CONSENT_RETENTION_DAYS = 400
    text = soup(admin_client.get(URL)).select_one("#retention").get_text()
    assert "Records are kept 400 days" in text and "schedule_consent_pruning" in text
