"""This browser's consent history and receipts, and nobody else's."""

import pytest
from django.test import Client

from cookies.models import ConsentRecord

from .conftest import FROM_GERMANY, post_banner_choice, soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(site, cdn_location):
    return Client()


def two_choices(browser):
    post_banner_choice(browser, label="Accept all", **FROM_GERMANY)
    page = soup(browser.get("/en/cookies/", **FROM_GERMANY))
    form = page.find("form", action="/en/cookies/withdraw/")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    assert browser.post(form["action"], data, **FROM_GERMANY).status_code == 303


def test_the_settings_page_lists_both_choices_newest_first(browser):
    two_choices(browser)
    page = soup(browser.get("/en/cookies/", **FROM_GERMANY))
    entries = page.select("#history tr.history-entry")
    assert len(entries) == 2
    assert "Withdrawal" in entries[0].get_text() and "Banner" in entries[1].get_text()
    assert "Accepted all" in entries[1].get_text()


def test_the_receipt_id_is_the_consent_id_shown(browser):
    two_choices(browser)
    page = soup(browser.get("/en/cookies/", **FROM_GERMANY))
    shown = page.select_one("code.consent-id").get_text()
    response = browser.get("/en/cookies/receipt.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"] and "attachment" in response["Content-Disposition"]
    receipt = response.json()
    assert receipt["consentReceiptID"] == shown == receipt["piiPrincipalId"]
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["jurisdiction"] == "DE"
    assert receipt["collectionMethod"] == "Withdrawal on the cookie settings page"
    assert receipt["policyUrl"].endswith("/en/privacy/versions/2025-09-02/")
    assert receipt["language"] == "en"
    purposes = {p["purposeCategory"][0]: p for p in receipt["services"][0]["purposes"]}
    assert purposes["analytics"]["consentGiven"] is False and purposes["necessary"]["consentGiven"] is True
    assert purposes["analytics"]["groupVersion"] == ConsentRecord.objects.first().groups["analytics"]["version"]
    assert isinstance(receipt["consentTimestamp"], int)


def test_each_history_entry_has_its_own_receipt(browser):
    two_choices(browser)
    first = ConsentRecord.objects.order_by("pk").first()
    receipt = browser.get(f"/en/cookies/receipt.json?record={first.pk}").json()
    assert receipt["collectionMethod"] == "Cookie banner on the website"
    assert receipt["recordDecision"] == "accepted-all"
    page = soup(browser.get(f"/en/cookies/receipt/?record={first.pk}"))
    assert page.select_one("code.receipt-id").get_text() == first.consent_id
    assert "Accepted" in page.select_one("table.receipt-purposes").get_text()


def test_another_browser_cannot_read_it(browser, site):
    two_choices(browser)
    record = ConsentRecord.objects.first()
    other = Client()
    assert other.get("/en/cookies/receipt.json").status_code == 404
    assert other.get(f"/en/cookies/receipt.json?record={record.pk}").status_code == 404
    assert other.get(f"/en/cookies/receipt/?record={record.pk}").status_code == 404
    assert not soup(other.get("/en/cookies/")).select("#history tr.history-entry")
    # nor with a choice of its own: its id is not the first browser's
    post_banner_choice(other, label="Reject all")
    assert other.get(f"/en/cookies/receipt.json?record={record.pk}").status_code == 404
    assert other.get("/en/cookies/receipt.json").json()["consentReceiptID"] != record.consent_id
    # a forged cookie is no key either
    forger = Client()
    forger.cookies["consent_id"] = f"{record.consent_id}.1700000000.0123456789abcdef:forged"
    assert forger.get("/en/cookies/receipt.json").status_code == 404


# "²" (%C2%B2) and the Arabic-Indic one (%D9%A1) are digits to str.isdigit(); int() refuses "²".
@pytest.mark.parametrize("value", ["abc", "-1", "9" * 40, "1e3", "%C2%B2", "%D9%A1"])
@pytest.mark.parametrize("page", ["/en/cookies/receipt.json", "/en/cookies/receipt/"])
def test_a_bad_record_parameter_is_a_404(browser, page, value):
    two_choices(browser)
    assert browser.get(f"{page}?record={value}").status_code == 404


def test_an_unknown_location_is_named_as_such(site):
    browser = Client()
    post_banner_choice(browser, label="Reject all")  # no trusted location header
    assert browser.get("/en/cookies/receipt.json").json()["jurisdiction"] == (
        "Unknown location: the strictest rules applied"
    )
