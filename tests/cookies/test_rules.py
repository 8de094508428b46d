"""Consent rules by place, as data: opt-in or opt-out, the opt-out link, GPC."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cookies.models import ConsentRule

from .conftest import FROM_CALIFORNIA, FROM_GERMANY, FROM_KOREA, soup

pytestmark = pytest.mark.django_db
OPT_OUT_LABEL = "Opt out of sale and targeted advertising"
CALIFORNIA_LABEL = "Do Not Sell or Share My Personal Information"
FROM_COLORADO = {"HTTP_CF_IPCOUNTRY": "US", "HTTP_CF_REGION_CODE": "CO"}


@pytest.fixture
def browser(site, cdn_location):
    return Client()


def page_from(browser, where, path="/en/privacy/"):
    return soup(browser.get(path, **where))


def links(page) -> tuple[str | None, str | None]:
    banner = page.select_one("#cookie-banner .do-not-sell a")
    footer = page.select_one("footer a.do-not-sell")
    return (banner.get_text() if banner else None, footer.get_text() if footer else None)


def accepted(page) -> list[str]:
    return json.loads(page.find("script", id="cookie-consent-state").string)["accepted"]


def test_colorado_gets_the_opt_out_link_in_banner_and_footer(browser):
    page = page_from(browser, FROM_COLORADO)
    assert links(page) == (OPT_OUT_LABEL, OPT_OUT_LABEL)
    assert page.select_one("footer a.do-not-sell")["href"] == "/en/cookies/#do-not-sell"
    # opt-out: optional groups run until the visitor refuses them, and the banner says so
    assert accepted(page) == ["functional", "analytics", "advertising"]
    assert "unless you reject them" in page.find("section", id="cookie-banner").get_text()


@pytest.mark.parametrize(
    "state", ["CT", "VA", "UT", "TX", "OR", "MT", "IA", "DE", "NH", "NJ", "NE", "TN", "MN", "MD", "IN", "KY", "RI"]
)
def test_every_listed_state_gets_the_link(browser, state):
    page = page_from(browser, {"HTTP_CF_IPCOUNTRY": "US", "HTTP_CF_REGION_CODE": state})
    assert links(page) == (OPT_OUT_LABEL, OPT_OUT_LABEL)


def test_california_keeps_its_own_wording(browser):
    assert links(page_from(browser, FROM_CALIFORNIA)) == (CALIFORNIA_LABEL, CALIFORNIA_LABEL)


def test_a_us_visitor_whose_state_is_unknown_gets_the_link(browser):
    assert links(page_from(browser, {"HTTP_CF_IPCOUNTRY": "US"})) == (OPT_OUT_LABEL, OPT_OUT_LABEL)


@pytest.mark.parametrize("where", [FROM_GERMANY, FROM_KOREA, {"HTTP_CF_IPCOUNTRY": "CH"}, {"HTTP_CF_IPCOUNTRY": "GB"}])
def test_europe_and_korea_are_opt_in_without_the_link(browser, where):
    page = page_from(browser, where)
    assert links(page) == (None, None)
    assert accepted(page) == []
    assert "With your consent we would also use" in page.find("section", id="cookie-banner").get_text()


def test_unknown_location_gets_the_strictest_rules(site):
    page = soup(Client().get("/en/privacy/"))  # no trusted location header
    assert accepted(page) == []
    assert links(page) == (CALIFORNIA_LABEL, CALIFORNIA_LABEL)


def test_gpc_is_honoured_in_colorado(browser):
    page = page_from(browser, {**FROM_COLORADO, "HTTP_SEC_GPC": "1"})
    assert "advertising" not in accepted(page)
    assert page.select_one("footer .gpc-note")


def test_an_editor_changes_a_states_label_and_gpc(browser, django_capture_on_commit_callbacks):
    rule = ConsentRule.objects.get(code="us-co")
    rule.link_label = "Your Privacy Choices"
    rule.honour_gpc = False
    with django_capture_on_commit_callbacks(execute=True):
        rule.save()
    page = page_from(browser, {**FROM_COLORADO, "HTTP_SEC_GPC": "1"})
    assert links(page) == ("Your Privacy Choices", "Your Privacy Choices")
    assert "advertising" in accepted(page)  # GPC not honoured by this (edited) rule
    # other states are unchanged
    assert links(page_from(browser, {"HTTP_CF_IPCOUNTRY": "US", "HTTP_CF_REGION_CODE": "VA"}))[0] == OPT_OUT_LABEL


def test_a_subdivision_rule_wins_over_its_country(browser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ConsentRule.objects.create(code="de-by", name="Bavaria", places="DE-BY", consent_model="opt-out")
    assert accepted(page_from(browser, {"HTTP_CF_IPCOUNTRY": "DE", "HTTP_CF_REGION_CODE": "BY"})) != []
    assert accepted(page_from(browser, {"HTTP_CF_IPCOUNTRY": "DE", "HTTP_CF_REGION_CODE": "BE"})) == []


def test_the_settings_page_names_the_visitors_link(browser):
    page = page_from(browser, FROM_COLORADO, "/en/cookies/")
    assert page.select_one("#do-not-sell-heading").get_text() == OPT_OUT_LABEL


def test_places_are_validated(site):
    with pytest.raises(ValidationError) as raised:
        ConsentRule(code="x", name="x", places="Germany").full_clean()
    assert "places" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        ConsentRule(code="y", name="y", places="de, fr").full_clean()  # taken by eea-uk
    assert "Already in another rule" in raised.value.message_dict["places"][0]
    with pytest.raises(ValidationError):
        ConsentRule(code="z", name="z", places="JP", show_link=True).full_clean()


def test_load_cookie_groups_restores_missing_rules_without_overwriting(site, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    ConsentRule.objects.filter(code="us-tx").delete()
    ConsentRule.objects.filter(code="kr").update(consent_model="opt-out")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_cookie_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ConsentRule.objects.get(code="us-tx").link_label == OPT_OUT_LABEL
    assert ConsentRule.objects.get(code="kr").consent_model == "opt-out"


def test_editors_manage_rules_in_the_admin(site, admin_client):
    assert b"Colorado" in admin_client.get("/admin/cookies/consentrule/").content
    response = admin_client.post(
        "/admin/cookies/consentrule/add/",
        {
            "code": "jp",
            "name": "Japan",
            "places": "JP, de",
            "consent_model": "opt-out",
            "link_label": "",
            "honour_gpc": "on",
            "ordering": "5",
        },
    )
    assert response.status_code == 200  # DE belongs to the EEA rule: a form error
    assert b"Already in another rule" in response.content
    assert not ConsentRule.objects.filter(code="jp").exists()
    data = {"code": "jp", "name": "Japan", "places": "jp", "consent_model": "opt-out", "ordering": "5"}
    assert admin_client.post("/admin/cookies/consentrule/add/", data).status_code == 302
    assert ConsentRule.objects.get(code="jp").places == "JP"
