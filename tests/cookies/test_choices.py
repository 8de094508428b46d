"""Accept, reject, save and withdraw: with and without JavaScript, and every bad input."""

import json

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cookies.models import ConsentRecord

from .conftest import FROM_CALIFORNIA, FROM_GERMANY, banner_form, form_data, post_banner_choice, soup

pytestmark = pytest.mark.django_db
OPTIONAL = ["functional", "analytics", "advertising"]


@pytest.fixture
def browser(site):
    return Client(enforce_csrf_checks=True)


def settings_form(browser, action):
    page = soup(browser.get("/en/cookies/"))
    return page.find("form", action=f"/en/cookies/{action}/")


def decisions(record):
    return {name: value["accepted"] for name, value in record.groups.items()}


def test_reject_all_without_javascript_redirects_back_and_records(browser, cdn_location):
    response = post_banner_choice(browser, "/en/privacy/?jurisdiction=eea-uk", label="Reject all", **FROM_GERMANY)
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/privacy/?jurisdiction=eea-uk"
    record = ConsentRecord.objects.get()
    assert record.source == "banner" and record.decision == "rejected-all"
    assert decisions(record) == {
        "necessary": True,
        "functional": False,
        "analytics": False,
        "advertising": False,
    }
    assert record.jurisdictions == "eea-uk" and record.consent_model == "opt-in"
    assert (record.location_source, record.country, record.subdivision) == ("header", "DE", "")
    assert record.shown == "eea-uk"
    assert record.policy_version.isoformat() == "2025-09-02"
    assert record.language == "en"
    consent_cookie = response.cookies["consent_id"]
    assert consent_cookie["httponly"] and consent_cookie["samesite"] == "Lax"
    assert consent_cookie.value.startswith(record.consent_id + ".")


def test_accept_all_with_javascript_answers_json(browser):
    page = soup(browser.get("/en/privacy/"))
    form = banner_form(page, "Accept all")
    response = browser.post(form["action"], form_data(form), HTTP_X_COOKIE_CONSENT_FETCH="1")
    assert response.status_code == 200
    assert response.json()["accepted"] == OPTIONAL
    assert response.json()["message"] == "Your cookie choices have been saved."
    assert ConsentRecord.objects.get().decision == "accepted-all"


def test_each_choice_appends_a_record_under_the_same_consent_id(browser):
    post_banner_choice(browser, label="Accept all")
    form = settings_form(browser, "save")
    data = form_data(form) | {"cookie_groups": ["analytics"]}
    assert browser.post(form["action"], data).headers["Location"] == "/en/cookies/?saved=1"
    form = settings_form(browser, "withdraw")
    browser.post(form["action"], form_data(form))
    records = list(ConsentRecord.objects.order_by("created_at", "pk"))
    assert [r.source for r in records] == ["banner", "settings", "withdrawal"]
    assert len({r.consent_id for r in records}) == 1
    assert decisions(records[1]) | {"necessary": True} == {
        "necessary": True,
        "functional": False,
        "analytics": True,
        "advertising": False,
    }
    assert records[2].decision == "rejected-all"


def test_settings_page_shows_groups_cookies_consent_id_and_last_choice(browser):
    page = soup(browser.get("/en/cookies/"))
    assert "You have not made a choice yet." in page.get_text()
    assert [s["id"] for s in page.select("section.cookie-group")] == ["necessary", *OPTIONAL]
    assert page.select_one("#necessary .always-on") and not page.select_one("#necessary input")
    assert [i["value"] for i in page.select("input[role=switch]")] == OPTIONAL
    assert not any(i.has_attr("checked") for i in page.select("input[role=switch]"))
    rows = {row.find("code").get_text(): row for row in page.select("table.cookie-table tbody tr")}
    assert {
        "csrftoken",
        "cookie_consent",
        "consent_id",
        "privacy_region",
        "sessionid",
        "demo_analytics",
    } <= set(rows)
    assert "30 days" in rows["demo_analytics"].get_text()
    assert "1 year" in rows["consent_id"].get_text()
    post_banner_choice(browser, label="Accept all")
    page = soup(browser.get("/en/cookies/"))
    record = ConsentRecord.objects.get()
    assert page.select_one("code.consent-id").get_text() == record.consent_id
    assert page.select_one("time.decided-at")["datetime"].startswith(record.created_at.strftime("%Y-%m-%dT%H:%M"))
    assert all(i.has_attr("checked") for i in page.select("input[role=switch]"))


@pytest.mark.parametrize("action", ["withdraw", "decline", "save"])
def test_refusing_deletes_the_groups_first_party_cookies_at_once(browser, action):
    post_banner_choice(browser, label="Accept all")
    browser.cookies["demo_analytics"] = "abc123"
    form = settings_form(browser, action)  # Reject all; Save with every switch off; Withdraw
    data = {k: v for k, v in form_data(form).items() if k != "cookie_groups"}
    if action == "decline":
        data["all_groups"] = "on"
    response = browser.post(form["action"], data, HTTP_X_COOKIE_CONSENT_FETCH="1")
    assert response.status_code == 200 and "analytics" not in response.json()["accepted"]
    assert response.cookies["demo_analytics"]["max-age"] == 0
    assert response.cookies["demo_analytics"].value == ""


def test_stray_cookie_of_a_group_not_accepted_is_deleted_on_any_page(browser):
    browser.cookies["demo_analytics"] = "planted"
    response = browser.get("/en/privacy/")
    assert response.cookies["demo_analytics"]["max-age"] == 0


def test_demo_pixel_sets_its_cookie_only_with_consent(browser):
    response = browser.get("/cookies/demo-analytics.gif")
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert "demo_analytics" not in response.cookies
    post_banner_choice(browser, label="Accept all")
    response = browser.get("/cookies/demo-analytics.gif")
    assert response.cookies["demo_analytics"].value


def test_gpc_turns_advertising_off_records_it_once_and_says_so(browser, cdn_location):
    gpc = {"HTTP_SEC_GPC": "1", **FROM_CALIFORNIA}
    first = browser.get("/en/privacy/", **gpc)
    page = soup(first)
    note = page.select_one("#cookie-banner .gpc-note")
    assert "Global Privacy Control" in note.get_text()
    assert page.select_one("footer .gpc-note")
    # the first page gives the browser an id and records nothing: it may not keep cookies
    assert not ConsentRecord.objects.exists() and first.cookies["consent_id"].value
    # it came back with the id: a browser that keeps cookies, recorded once under that id
    browser.get("/en/privacy/", **gpc)
    record = ConsentRecord.objects.get()
    assert record.consent_id == first.cookies["consent_id"].value.split(".")[0]
    assert record.source == "gpc" and record.gpc and record.jurisdictions == "us-ca"
    assert (record.country, record.subdivision, record.shown) == ("US", "US-CA", "us-ca")
    assert decisions(record) == {
        "necessary": True,
        "functional": None,
        "analytics": None,
        "advertising": False,
    }
    # the browser now holds the refusal: further pages write nothing
    with CaptureQueriesContext(connection) as queries:
        browser.get("/en/privacy/", **gpc)
    assert len(queries) == 0
    # accepting all cannot turn advertising back on while the signal is sent
    post_banner_choice(browser, "/en/privacy/", label="Accept all", **gpc)
    latest = ConsentRecord.objects.order_by("-pk").first()
    assert decisions(latest)["advertising"] is False and decisions(latest)["analytics"] is True
    assert latest.gpc and latest.source == "banner"
    settings_page = soup(browser.get("/en/cookies/", **gpc))
    switch = settings_page.select_one("input[value=advertising]")
    assert switch.has_attr("disabled") and not switch.has_attr("checked")
    assert ConsentRecord.objects.count() == 2


def test_gpc_overrides_an_earlier_acceptance(browser):
    post_banner_choice(browser, label="Accept all")
    browser.get("/en/privacy/", HTTP_SEC_GPC="1")
    latest = ConsentRecord.objects.order_by("-pk").first()
    assert latest.source == "gpc" and decisions(latest)["advertising"] is False
    assert decisions(latest)["analytics"] is True


def test_gpc_page_is_served_even_when_the_record_cannot_be_written(browser, monkeypatch):
    from cookies import services

    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services.ConsentRecord.objects, "create", broken)
    browser.get("/en/privacy/", HTTP_SEC_GPC="1")  # the id, before any record
    response = browser.get("/en/privacy/", HTTP_SEC_GPC="1")
    assert response.status_code == 200 and "consent_id" not in response.cookies
    assert soup(response).select_one(".gpc-note")


def test_a_failed_write_is_a_503_and_sets_no_cookie(browser, monkeypatch):
    from cookies import services

    page = soup(browser.get("/en/privacy/"))
    form = banner_form(page, "Accept all")

    def broken(**kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(services.ConsentRecord.objects, "create", broken)
    response = browser.post(form["action"], form_data(form))
    assert response.status_code == 503 and response["Retry-After"]
    assert "consent_id" not in response.cookies and "cookie_consent" not in response.cookies


# --- bad input -------------------------------------------------------------------------


def test_missing_csrf_token_is_403_and_records_nothing(browser):
    page = soup(browser.get("/en/privacy/"))
    data = form_data(banner_form(page, "Accept all"))
    del data["csrfmiddlewaretoken"]
    response = browser.post("/en/cookies/accept/", data)
    assert response.status_code == 403
    assert "Reload the page and try again." in response.content.decode()
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("path", ["accept", "decline", "save", "withdraw"])
def test_get_on_a_post_endpoint_is_405(browser, path):
    assert browser.get(f"/en/cookies/{path}/").status_code == 405


@pytest.mark.parametrize(
    "change",
    [
        {"cookie_groups": ["tracking"]},
        {"cookie_groups": ["necessary"]},
        {"cookie_groups": ["<script>"]},
        {"context": ["banner|", "settings|"]},
        {"next": ["/en/privacy/", "/en/cookies/"]},
        {"all_groups": ["on", "on"]},
        {"cookie_groups": ["analytics"] * 4},
        {"next": "/" + "a" * 2000},
    ],
)
def test_bad_fields_are_400_and_record_nothing(browser, change):
    page = soup(browser.get("/en/privacy/"))
    data = form_data(banner_form(page, "Accept all")) | change
    response = browser.post("/en/cookies/accept/", data)
    assert response.status_code == 400
    assert "The form sent was not a cookie choice this site understands." in response.content.decode()
    json_response = browser.post("/en/cookies/accept/", data, HTTP_X_COOKIE_CONSENT_FETCH="1")
    assert json_response.status_code == 400 and json_response.json()["error"]
    assert not ConsentRecord.objects.exists()


def test_the_record_says_what_the_server_showed_never_what_the_client_posted(browser, cdn_location):
    page = soup(browser.get("/en/privacy/?jurisdiction=au", **FROM_GERMANY))
    data = form_data(banner_form(page, "Accept all"))
    # Fields a client might add to claim another source or other addenda are not read.
    data |= {"source": "settings", "shown": "kr,us-ca", "jurisdictions": "au"}
    assert browser.post("/en/cookies/accept/", data, **FROM_GERMANY).status_code == 303
    record = ConsentRecord.objects.get()
    assert (record.source, record.shown, record.jurisdictions) == ("banner", "au", "eea-uk")
    assert (record.location_source, record.country, record.consent_model) == ("header", "DE", "opt-in")


@pytest.mark.parametrize("context", ["", "banner|kr", "settings|au:forged", "gpc|eea-uk"])
def test_an_unsigned_or_forged_form_context_is_recorded_as_unknown(browser, context):
    page = soup(browser.get("/en/privacy/"))
    data = form_data(banner_form(page, "Reject all")) | {"context": context}
    assert browser.post("/en/cookies/decline/", data).status_code == 303
    record = ConsentRecord.objects.get()
    assert (record.source, record.shown) == ("unknown", "")


def test_settings_page_choices_are_recorded_as_settings(browser):
    form = settings_form(browser, "decline")
    browser.post(form["action"], form_data(form))
    assert ConsentRecord.objects.get().source == "settings"


def test_oversized_body_is_413(browser):
    page = soup(browser.get("/en/privacy/"))
    data = form_data(banner_form(page, "Accept all")) | {"padding": "x" * 10_000}
    assert browser.post("/en/cookies/accept/", data).status_code == 413
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    "next_value",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "/en/privacy/\r\nSet-Cookie: x=1",
        "http://testserver@evil.example/",
        "",
    ],
)
def test_off_site_or_odd_next_falls_back_to_the_settings_page(browser, next_value):
    page = soup(browser.get("/en/privacy/"))
    data = form_data(banner_form(page, "Reject all")) | {"next": next_value}
    response = browser.post("/en/cookies/decline/", data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/cookies/?saved=1"
    assert ConsentRecord.objects.count() == 1


@pytest.mark.parametrize(
    "consent_id_cookie",
    ["garbage", "a" * 5000, "0123456789abcdef0123456789abcdef.1700000000.0123456789abcdef:forged", ""],
)
def test_tampered_consent_id_cookie_is_ignored_and_a_new_id_issued(browser, consent_id_cookie):
    browser.cookies["consent_id"] = consent_id_cookie
    browser.cookies["cookie_consent"] = "analytics=9999|advertising=9999|functional=9999"
    page = soup(browser.get("/en/privacy/"))
    assert page.find("section", id="cookie-banner")
    form = banner_form(page, "Reject all")
    assert browser.post(form["action"], form_data(form)).status_code == 303
    record = ConsentRecord.objects.get()
    assert len(record.consent_id) == 32 and record.consent_id not in consent_id_cookie


def test_edited_decisions_cookie_is_ignored_but_the_consent_id_kept(browser):
    post_banner_choice(browser, label="Reject all")
    first = ConsentRecord.objects.get()
    browser.cookies["cookie_consent"] = "analytics=9999-12-31T00:00:00|advertising=-1|functional=-1"
    page = soup(browser.get("/en/privacy/"))
    assert page.find("section", id="cookie-banner")
    state = json.loads(page.find("script", id="cookie-consent-state").string)
    assert (state["accepted"], state["gpc"]) == ([], False)
    assert state["consentMode"]["analytics_storage"] == "denied"
    # the package's own status endpoint sees the verified (empty) state, not the edit
    status = browser.get("/en/cookies/status/").json()
    assert status["acceptedCookieGroups"] == []
    post_banner_choice(browser, label="Accept all")
    assert ConsentRecord.objects.order_by("-pk").first().consent_id == first.consent_id


def test_package_status_endpoint_reports_verified_choices(browser):
    post_banner_choice(browser, label="Accept all")
    response = browser.get("/en/cookies/status/")
    assert sorted(response.json()["acceptedCookieGroups"]) == sorted(OPTIONAL)
    assert response.json()["acceptUrl"] == "/en/cookies/accept/"
    assert "no-store" in response.headers["Cache-Control"] or "no-cache" in response.headers["Cache-Control"]


def test_garbled_form_encoding_is_a_4xx_never_a_500(browser):
    page = soup(browser.get("/en/privacy/"))
    token = form_data(banner_form(page, "Accept all"))["csrfmiddlewaretoken"]
    body = f"csrfmiddlewaretoken={token}&cookie_groups=%ff%fe&next=%00"
    response = browser.post("/en/cookies/accept/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
