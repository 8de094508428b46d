"""The admin shows consent records read-only, filters them, finds them and exports them."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from cookies.export import HEADER
from cookies.models import ConsentRecord

from .conftest import soup
from .test_records import make_record

pytestmark = pytest.mark.django_db
URL = "/admin/cookies/consentrecord/"


@pytest.fixture
def records(cookie_groups, jurisdictions):
    now = timezone.now()
    return [
        make_record(consent_id="a" * 32, created_at=now - datetime.timedelta(days=2)),
        make_record(
            consent_id="b" * 32,
            source="gpc",
            jurisdictions=("us-ca",),
            gpc=True,
            decisions={"functional": None, "analytics": None, "advertising": False},
        ),
        make_record(
            consent_id="c" * 32,
            jurisdictions=("eea-uk", "au", "us-ca", "ph", "kr"),
            decisions={"functional": True, "analytics": True, "advertising": True},
        ),
    ]


def listed(response) -> set[str]:
    return {r.consent_id for r in response.context["cl"].result_list}


def test_records_are_read_only(admin_client, records):
    assert admin_client.get(URL).status_code == 200
    assert admin_client.get(URL + "add/").status_code == 403
    record = records[0]
    page = admin_client.get(f"{URL}{record.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.post(f"{URL}{record.pk}/change/", {"source": "settings"}).status_code == 403
    assert admin_client.post(f"{URL}{record.pk}/delete/").status_code == 403
    assert "delete_selected" not in admin_client.get(URL).context["action_form"].fields["action"].choices.__repr__()
    assert ConsentRecord.objects.get(pk=record.pk).source == "banner"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?jurisdiction=us-ca", {"b" * 32, "c" * 32}),
        ("?jurisdiction=eea-uk", {"a" * 32, "c" * 32}),
        ("?jurisdiction=au", {"c" * 32}),
        ("?decision=accepted-all", {"c" * 32}),
        ("?source=gpc", {"b" * 32}),
        ("?accepted=analytics", {"a" * 32, "c" * 32}),
        ("?gpc__exact=1", {"b" * 32}),
        (f"?q={'b' * 32}", {"b" * 32}),
        (f"?q={'B' * 8}-{'b' * 24}", {"b" * 32}),
        ("?q=not-an-id", set()),
    ],
)
def test_filters_and_search(admin_client, records, query, expected):
    response = admin_client.get(URL + query)
    assert response.status_code == 200
    assert listed(response) == expected


def test_date_filter(admin_client, records):
    # the filter's own "Today" link, with aware bounds
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + datetime.timedelta(days=1)
    response = admin_client.get(URL, {"created_at__gte": str(today), "created_at__lt": str(tomorrow)})
    assert listed(response) == {"b" * 32, "c" * 32}


def test_csv_export_action(admin_client, records):
    response = admin_client.post(URL, {"action": "export_csv", "_selected_action": [r.pk for r in records[:2]]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == HEADER and {r[0] for r in rows[1:]} == {"a" * 32, "b" * 32}


def form_data(form) -> dict:
    """A form's fields as a browser would post them back unchanged."""
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or "__prefix__" in name or field.get("type") in ("submit", "button"):
            continue  # (a "__prefix__" field belongs to the template for another inline row)
        if field.name == "textarea":
            data[name] = field.get_text().removeprefix("\n")  # as browsers parse <textarea>
        elif field.name == "select":
            selected = field.find("option", selected=True)
            data[name] = selected["value"] if selected else ""
        elif field.get("type") != "checkbox" or field.has_attr("checked"):
            data[name] = field.get("value", "")
    return data


def lifetime_shown(client, name) -> str:
    page = soup(client.get("/en/cookies/"))
    row = page.find("code", string=name).find_parent("tr")
    return row.find_all("td")[1].get_text()


def test_cookie_admin_edits_lifetimes(admin_client, client, cookie_groups, django_capture_on_commit_callbacks):
    from cookie_consent.models import Cookie

    cookie = Cookie.objects.get(name="demo_analytics")
    url = f"/admin/cookie_consent/cookie/{cookie.pk}/change/"
    assert lifetime_shown(client, "demo_analytics") == "30 days"  # the launch value, cached now
    data = form_data(soup(admin_client.get(url)).find("form", id="cookie_form"))
    (field,) = [name for name in data if name.endswith("-lifetime_days")]
    assert data[field] == "30"
    data[field] = "14"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, soup(response).select(".errorlist")
    cookie.refresh_from_db()
    assert cookie.detail.lifetime_days == 14
    # The public cookie notice says so at once: the edit retired the cached catalogue.
    assert lifetime_shown(client, "demo_analytics") == "14 days"
