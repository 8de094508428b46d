"""GPC proof without a write per request: a browser that keeps no cookies writes nothing."""

import pytest
from django.test import Client

from cookies.models import ConsentRecord

pytestmark = pytest.mark.django_db


def test_a_thousand_cookieless_gpc_requests_add_at_most_one_row(site):
    client = Client()
    for _ in range(1000):
        client.cookies.clear()  # a script that never returns a cookie
        response = client.get("/en/privacy/", HTTP_SEC_GPC="1")
        assert response.status_code == 200
    assert ConsentRecord.objects.count() <= 1


def test_head_requests_without_cookies_write_nothing(site):
    for _ in range(50):
        assert Client().head("/en/privacy/", HTTP_SEC_GPC="1").status_code == 200
    assert ConsentRecord.objects.count() == 0


def test_a_browser_that_keeps_cookies_is_recorded_once(site):
    client = Client()
    for _ in range(20):
        client.get("/en/privacy/", HTTP_SEC_GPC="1")
    record = ConsentRecord.objects.get()
    assert record.source == "gpc" and record.groups["advertising"]["accepted"] is False


def test_fresh_ids_from_one_network_are_capped(site, settings):
    settings.CONSENT_GPC_RECORDS_PER_HOUR = 5
    for _ in range(12):
        client = Client()  # a new browser each time, which returns its cookie once
        client.get("/en/privacy/", HTTP_SEC_GPC="1")
        response = client.get("/en/privacy/", HTTP_SEC_GPC="1")
        assert response.status_code == 200
    assert ConsentRecord.objects.count() == 5


def test_the_signal_is_honoured_on_the_first_page_without_a_record(site):
    page = Client().get("/en/privacy/", HTTP_SEC_GPC="1").content.decode()
    assert '"gpc":true' in page and "advertising" not in page.split('id="cookie-consent-state">')[1][:80]


def test_two_pages_loaded_at_once_record_the_signal_once(site):
    """Both requests carry the browser's id before either answer has set the recorded refusal."""
    client = Client()
    client.get("/en/privacy/", HTTP_SEC_GPC="1")  # the id, no record yet
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    for _ in range(2):
        other_tab = Client()
        for name, value in cookies.items():
            other_tab.cookies[name] = value
        assert other_tab.get("/en/privacy/", HTTP_SEC_GPC="1").status_code == 200
    assert ConsentRecord.objects.filter(source="gpc").count() == 1
