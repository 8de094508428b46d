"""Google Consent Mode v2: the values every page carries and every choice returns."""

import json

import pytest
from cookie_consent.models import CookieGroup
from django.test import Client

from cookies.models import ConsentModeMapping

from .conftest import FROM_GERMANY, banner_form, form_data, soup

pytestmark = pytest.mark.django_db
FROM_COLORADO = {"HTTP_CF_IPCOUNTRY": "US", "HTTP_CF_REGION_CODE": "CO"}
TYPES = {
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
}


@pytest.fixture
def browser(site, cdn_location):
    return Client()


def consent_mode(page) -> dict:
    return json.loads(page.find("script", id="cookie-consent-state").string)["consentMode"]


def test_germany_defaults_deny_everything_but_security(browser):
    page = soup(browser.get("/en/privacy/", **FROM_GERMANY))
    values = consent_mode(page)
    assert set(values) == TYPES
    assert values["security_storage"] == "granted"
    assert {values[t] for t in TYPES - {"security_storage"}} == {"denied"}
    # the first-party script that pushes them comes right after the state, before any tag
    state = page.find("script", id="cookie-consent-state")
    loader = state.find_next_sibling("script")
    assert loader["src"] == "/static/js/consent-mode.js" and not loader.string
    assert not [s for s in page.find_all("script") if s.get("src", "").startswith(("http:", "https:", "//"))]


def test_colorado_is_opt_out_and_gpc_denies_advertising(browser):
    values = consent_mode(soup(browser.get("/en/privacy/", **FROM_COLORADO)))
    assert set(values.values()) == {"granted"}
    with_gpc = consent_mode(soup(browser.get("/en/privacy/", HTTP_SEC_GPC="1", **FROM_COLORADO)))
    assert with_gpc["ad_storage"] == with_gpc["ad_user_data"] == with_gpc["ad_personalization"] == "denied"
    assert with_gpc["analytics_storage"] == "granted"


def test_a_stored_choice_sets_the_defaults_and_a_choice_returns_the_update(browser):
    page = soup(browser.get("/en/privacy/", **FROM_GERMANY))
    form = banner_form(page, "Accept all")
    response = browser.post(form["action"], form_data(form), HTTP_ACCEPT="application/json", **FROM_GERMANY)
    assert set(response.json()["consent_mode"].values()) == {"granted"}
    assert set(consent_mode(soup(browser.get("/en/privacy/", **FROM_GERMANY))).values()) == {"granted"}


def test_the_mapping_is_set_per_group_in_the_admin(browser, django_capture_on_commit_callbacks):
    mapping = ConsentModeMapping.objects.get(group=CookieGroup.objects.get(varname="analytics"))
    mapping.consent_types = ["analytics_storage", "ad_user_data"]
    with django_capture_on_commit_callbacks(execute=True):
        mapping.save()
    page = soup(browser.get("/en/cookies/", **FROM_GERMANY))
    form = page.find("form", action="/en/cookies/save/")
    data = {**form_data(form), "cookie_groups": ["analytics"]}
    response = browser.post(form["action"], data, HTTP_ACCEPT="application/json", **FROM_GERMANY)
    values = response.json()["consent_mode"]
    assert values["ad_user_data"] == values["analytics_storage"] == "granted"
    assert values["ad_storage"] == "denied"


def test_the_admin_edits_the_mapping_on_the_group(site, admin_client):
    group = CookieGroup.objects.get(varname="functional")
    page = admin_client.get(f"/admin/cookie_consent/cookiegroup/{group.pk}/change/")
    assert page.status_code == 200
    assert b"functionality_storage" in page.content
