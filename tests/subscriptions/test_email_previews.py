"""Every email previewable by staff: each registered kind, in every language, as HTML and text."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from core import email_previews
from subscriptions.models import PendingSubscription, UnsubscribeLink

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_only_staff_open_the_previews(client, django_user_model):
    for path in ["/admin/email-previews/", "/admin/email-previews/subscriptions.confirmation/en/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/admin/login/")
    user = django_user_model.objects.create_user("reader", password="pw-123456789")
    client.force_login(user)  # not staff
    assert client.get("/admin/email-previews/").status_code == 302


def test_the_index_links_every_kind_in_every_language(admin_client):
    page = soup(admin_client.get("/admin/email-previews/"))
    links = {a["href"] for a in page.select("table.email-previews a")}
    for key in ("subscriptions.confirmation", "subscriptions.change_notice"):
        for code in LANGUAGES:
            assert f"/admin/email-previews/{key}/{code}/" in links


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_renders_in_every_language_as_html_and_text(admin_client, launch_content, language):
    before = (PendingSubscription.objects.count(), UnsubscribeLink.objects.count())
    for kind in email_previews.kinds():
        response = admin_client.get(f"/admin/email-previews/{kind.key}/{language}/")
        assert response.status_code == 200, kind.key
        page = soup(response)
        names, values = [dt.text for dt in page.select("dl dt")], [dd.text for dd in page.select("dl dd")]
        headers = dict(zip(names, values, strict=True))
        assert headers["Subject"].startswith("Alibaba Cloud")
        assert "Alibaba Cloud" in headers["From"]
        assert headers["Content-Language"] == language
        text = page.select_one("pre.email-preview-text").text
        assert "Alibaba Cloud (Singapore) Private Limited" in text  # the footer
        frame = page.select_one("iframe.email-preview-frame")
        assert frame.has_attr("sandbox")
        html = admin_client.get(frame["src"])
        assert html.status_code == 200
        assert f'lang="{language}"' in html.content.decode()
        assert "sandbox" in html["Content-Security-Policy"] and "script-src" not in html["Content-Security-Policy"]
        assert html["X-Frame-Options"] == "SAMEORIGIN"
    # Previews send nothing and write nothing.
    assert mail.outbox == []
    assert (PendingSubscription.objects.count(), UnsubscribeLink.objects.count()) == before


def test_a_change_notice_can_be_checked_for_a_draft_before_publishing(admin_client, material_draft):
    response = admin_client.get("/admin/email-previews/subscriptions.change_notice/ko/")
    page = soup(response)
    options = {o["value"]: o.text for o in page.select("select[name=sample] option")}
    assert str(material_draft.pk) in options and "2031-03-01" in options[str(material_draft.pk)]
    response = admin_client.get(f"/admin/email-previews/subscriptions.change_notice/ko/?sample={material_draft.pk}")
    text = soup(response).select_one("pre.email-preview-text").text
    assert "로그를 30일 동안 보관합니다." in text  # the draft's Korean summary
    assert "/ko/privacy/versions/2031-03-01/" in text


def test_unknown_kinds_languages_and_samples_are_404(admin_client):
    assert admin_client.get("/admin/email-previews/nope/en/").status_code == 404
    assert admin_client.get("/admin/email-previews/subscriptions.confirmation/xx/").status_code == 404
    assert admin_client.get("/admin/email-previews/subscriptions.change_notice/en/?sample=999999").status_code == 404


def test_another_app_adds_an_email_with_one_registration(admin_client):
    def build(language, sample):
        message = EmailMultiAlternatives(subject=f"Request received ({language})", body="We have your request.")
        message.attach_alternative(f'<html lang="{language}"><p>We have your request.</p></html>', "text/html")
        return message

    email_previews.register("rights.received", "Privacy request received", build)
    try:
        links = {a["href"] for a in soup(admin_client.get("/admin/email-previews/")).select("table a")}
        assert "/admin/email-previews/rights.received/ja/" in links
        page = soup(admin_client.get("/admin/email-previews/rights.received/ja/"))
        assert "Request received (ja)" in page.select_one("dl dd").text
        assert page.select_one("pre").text == "We have your request."
    finally:
        email_previews._kinds.pop("rights.received")


def test_the_organisation_and_campaign_pages_link_to_the_previews(admin_client):
    assert 'href="/admin/email-previews/"' in admin_client.get("/admin/core/organisation/1/change/").content.decode()
    assert 'href="/admin/email-previews/"' in admin_client.get("/admin/subscriptions/campaign/").content.decode()
