"""The banner on every page: what it shows, to whom, how it is cached, what it costs."""

import datetime
import json

import pytest
import time_machine
from cookie_consent.models import Cookie, CookieGroup
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cookies.models import ConsentRule

from .conftest import (
    FROM_AUSTRALIA,
    FROM_CALIFORNIA,
    FROM_GERMANY,
    FROM_KOREA,
    banner_form,
    post_banner_choice,
    soup,
)

pytestmark = pytest.mark.django_db
PAGES = [
    "/en/privacy/",
    "/en/privacy/versions/",
    "/en/privacy/versions/2025-09-02/",
    "/en/privacy/versions/1999-01-01/",
]


@pytest.fixture
def browser(site):
    return Client(enforce_csrf_checks=True)


def state_of(page) -> dict:
    return json.loads(page.find("script", id="cookie-consent-state").string)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_shows_the_banner_with_three_equal_controls(browser, path):
    page = soup(browser.get(path))
    banner = page.find("section", id="cookie-banner")
    assert banner["aria-labelledby"] == "cookie-banner-title"
    buttons = banner.find_all("button")
    assert [b.get_text() for b in buttons] == ["Accept all", "Reject all"]
    manage = banner.find("a", string="Manage cookies")
    assert manage["href"] == "/en/cookies/"
    # equal weight: the same class on all three, and both choices are real POST forms with CSRF
    assert {tuple(el["class"]) for el in [*buttons, manage]} == {("consent-button",)}
    for button in buttons:
        form = button.find_parent("form")
        assert form["method"] == "post"
        assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
        assert form.find("input", attrs={"name": "next"})["value"] == path


def test_footer_links_to_cookie_settings_on_every_page(browser):
    for path in [*PAGES, "/en/cookies/"]:
        assert soup(browser.get(path)).select_one("footer a[href='/en/cookies/']").get_text() == "Cookie settings"


@pytest.mark.parametrize(
    ("lang", "accept", "reject", "manage"),
    [
        ("ko", "모두 수락", "모두 거부", "쿠키 관리"),
        ("zh-hans", "全部接受", "全部拒绝", "管理 Cookie"),
        ("ja", "すべて受け入れる", "すべて拒否する", "Cookie を管理する"),
    ],
)
def test_banner_is_translated(browser, lang, accept, reject, manage):
    banner = soup(browser.get(f"/{lang}/privacy/")).find("section", id="cookie-banner")
    assert [b.get_text() for b in banner.find_all("button")] == [accept, reject]
    assert banner.find("a", href=f"/{lang}/cookies/").get_text() == manage


def test_no_banner_on_the_cookie_settings_page_itself(browser):
    page = soup(browser.get("/en/cookies/"))
    assert not page.find("section", id="cookie-banner")
    assert page.find("script", id="cookie-consent-state")


def test_non_essential_script_is_inert_until_consent(browser):
    page = soup(browser.get("/en/privacy/"))
    gated = page.find("script", attrs={"data-cookie-group": "analytics"})
    assert gated["type"] == "text/plain" and gated["data-src"].endswith("js/demo-analytics.js")
    assert not gated.get("src")
    assert state_of(page)["accepted"] == []
    assert not page.find("noscript")


def test_choosing_hides_the_banner_on_later_pages(browser):
    assert post_banner_choice(browser, label="Accept all").status_code == 303
    page = soup(browser.get("/en/privacy/versions/"))
    assert not page.find("section", id="cookie-banner")
    assert state_of(page)["accepted"] == ["functional", "analytics", "advertising"]
    # without JavaScript the demo analytics is a pixel, only now that analytics is accepted
    assert page.find("noscript").find("img")["src"] == "/cookies/demo-analytics.gif"


def test_first_visit_sets_only_the_csrf_cookie(browser):
    response = browser.get("/en/privacy/")
    assert set(response.cookies) == {"csrftoken"}


def test_pages_with_the_banner_are_private_and_vary_on_cookies(browser):
    response = browser.get("/en/privacy/")
    cache_control = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"private", "no-cache", "max-age=0"} <= cache_control and "public" not in cache_control
    assert "Cookie" in response.headers["Vary"]
    post_banner_choice(browser)
    response = browser.get("/en/privacy/")
    # No banner, but the page still depends on the visitor's choice.
    assert "private" in response.headers["Cache-Control"] and "Cookie" in response.headers["Vary"]


def test_gpc_well_known_file_is_public(client):
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response.json() == {"gpc": True, "lastUpdate": settings.CONSENT_GPC_LAST_UPDATE}
    assert "public" in response.headers["Cache-Control"]
    datetime.date.fromisoformat(response.json()["lastUpdate"])


def test_warm_pages_make_no_sql_query_with_or_without_the_banner(browser):
    for path in ["/en/privacy/", "/ko/privacy/versions/"]:
        browser.get(path)
        with CaptureQueriesContext(connection) as warm:
            assert browser.get(path).status_code == 200
        assert len(warm) == 0, [q["sql"] for q in warm]
    post_banner_choice(browser, label="Accept all")
    browser.get("/en/privacy/")
    browser.get("/en/cookies/")
    with CaptureQueriesContext(connection) as decided:
        browser.get("/en/privacy/")
    assert len(decided) == 0, [q["sql"] for q in decided]
    # The settings page reads one thing per visitor: their own consent history.
    with CaptureQueriesContext(connection) as settings_page:
        browser.get("/en/cookies/")
    assert len(settings_page) == 1 and "cookies_consentrecord" in settings_page[0]["sql"]


def test_banner_is_rendered_once_per_language_not_per_request(browser, monkeypatch):
    from cookies import banner

    browser.get("/en/privacy/")
    calls = []
    monkeypatch.setattr(banner, "render_to_string", lambda *a, **k: calls.append(a) or "")
    for _ in range(3):
        browser.get("/en/privacy/")
    assert calls == []


def test_do_not_sell_link_for_california_and_unknown_locations_only(browser, cdn_location):
    california = soup(browser.get("/en/privacy/", **FROM_CALIFORNIA))
    assert california.select_one("#cookie-banner .do-not-sell a")["href"] == "/en/cookies/#do-not-sell"
    assert california.select_one("footer a.do-not-sell").get_text() == "Do Not Sell or Share My Personal Information"
    korea = soup(browser.get("/en/privacy/", **FROM_KOREA))
    assert not korea.select(".do-not-sell")
    # unknown location: every region applies, California's link included
    assert soup(browser.get("/en/privacy/")).select("footer a.do-not-sell")


def test_reading_another_addendum_never_changes_the_consent_rules(browser, cdn_location):
    """Law follows where the visitor is; the addendum they read is only what they read."""
    ConsentRule.objects.filter(code="other").update(consent_model="opt-out")
    # In Germany, reading Australia's addendum (a link the page offers): still opt-in.
    page = soup(browser.get("/en/privacy/?jurisdiction=au", **FROM_GERMANY))
    assert [p["id"] for p in page.select("p.applies-to")] == ["au"]  # the addendum read
    assert state_of(page)["accepted"] == []
    assert "With your consent we would also use" in page.find("section", id="cookie-banner").get_text()
    # The same with the reading choice remembered in the region cookie.
    browser.get("/en/privacy/region/?jurisdiction=au&next=/en/privacy/")
    assert state_of(soup(browser.get("/en/privacy/", **FROM_GERMANY)))["accepted"] == []
    # In California, reading Korea's addendum: the Do Not Sell link stays.
    california = soup(browser.get("/en/privacy/?jurisdiction=kr", **FROM_CALIFORNIA))
    assert california.select_one("footer a.do-not-sell")
    assert california.select_one("#cookie-banner .do-not-sell a")
    # In Korea, reading California's addendum: no Do Not Sell link, opt-in.
    korea = soup(browser.get("/en/privacy/?jurisdiction=us-ca", **FROM_KOREA))
    assert not korea.select(".do-not-sell") and state_of(korea)["accepted"] == []


@pytest.mark.parametrize(
    ("where", "opt_out_runs"),
    [(FROM_AUSTRALIA, True), (FROM_GERMANY, False), (FROM_KOREA, False)],
)
def test_other_regions_follow_the_everywhere_else_rule(
    browser, cdn_location, where, opt_out_runs, django_capture_on_commit_callbacks
):
    assert state_of(soup(browser.get("/en/privacy/", **where)))["accepted"] == []
    rule = ConsentRule.objects.get(code="other")
    rule.consent_model = "opt-out"
    with django_capture_on_commit_callbacks(execute=True):
        rule.save()  # through save(), as the admin does: the cached rules are retired
    page = soup(browser.get("/en/privacy/", **where))
    assert bool(state_of(page)["accepted"]) is opt_out_runs
    # the banner still asks until the visitor chooses
    assert page.find("section", id="cookie-banner")


def test_california_is_opt_out(browser, cdn_location):
    page = soup(browser.get("/en/privacy/", **FROM_CALIFORNIA))
    assert state_of(page)["accepted"] == ["functional", "analytics", "advertising"]
    assert page.find("section", id="cookie-banner")


def test_unknown_location_is_opt_in_even_when_other_regions_are_opt_out(browser):
    ConsentRule.objects.filter(code="other").update(consent_model="opt-out")
    assert state_of(soup(browser.get("/en/privacy/")))["accepted"] == []


def test_banner_returns_when_a_group_gets_a_new_cookie(browser, django_capture_on_commit_callbacks):
    post_banner_choice(browser, label="Accept all")
    assert not soup(browser.get("/en/privacy/")).find("section", id="cookie-banner")
    with django_capture_on_commit_callbacks(execute=True):
        Cookie.objects.create(
            cookiegroup=CookieGroup.objects.get(varname="analytics"), name="new_counter", description="x"
        )
    page = soup(browser.get("/en/privacy/"))
    assert page.find("section", id="cookie-banner")
    assert "analytics" not in state_of(page)["accepted"]
    assert "functional" in state_of(page)["accepted"]


@pytest.mark.parametrize(("label", "days_valid"), [("Accept all", 365), ("Reject all", 180)])
def test_banner_returns_when_the_choice_is_too_old(browser, label, days_valid):
    start = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.timezone.utc)
    with time_machine.travel(start, tick=False):
        post_banner_choice(browser, label=label)
    with time_machine.travel(start + datetime.timedelta(days=days_valid - 1), tick=False):
        assert not soup(browser.get("/en/privacy/")).find("section", id="cookie-banner")
    with time_machine.travel(start + datetime.timedelta(days=days_valid + 1), tick=False):
        assert soup(browser.get("/en/privacy/")).find("section", id="cookie-banner")


def test_refusal_period_is_a_setting(browser, settings):
    settings.CONSENT_REFUSAL_MAX_AGE_DAYS = 30
    start = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.timezone.utc)
    with time_machine.travel(start, tick=False):
        post_banner_choice(browser, label="Reject all")
    with time_machine.travel(start + datetime.timedelta(days=31), tick=False):
        assert soup(browser.get("/en/privacy/")).find("section", id="cookie-banner")


def test_banner_form_posts_back_to_the_page_with_its_query(browser):
    page = soup(browser.get("/en/privacy/?jurisdiction=kr"))
    form = banner_form(page, "Reject all")
    assert form.find("input", attrs={"name": "next"})["value"] == "/en/privacy/?jurisdiction=kr"
    # Which form, on a page showing which addenda: signed by the server, not a plain field.
    assert form.find("input", attrs={"name": "context"})["value"].startswith("banner|kr:")
    assert not form.find("input", attrs={"name": "shown"}) and not form.find("input", attrs={"name": "source"})
