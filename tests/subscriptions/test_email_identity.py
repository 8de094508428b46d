"""Emails that say who sends them and leak nothing: the organisation in From, subject and
footer; Message-IDs that reveal no numbers; no recipient address in any link."""

import email
import re
from email.header import decode_header, make_header
from urllib.parse import unquote

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from core.models import Organisation
from subscriptions.models import Campaign, Delivery, Subscriber

from .conftest import make_subscribers
from .test_fault import free_port

pytestmark = pytest.mark.django_db
URL = re.compile(r"https?://[^\s\"'<>]+")
LEGAL_NAME = "Alibaba Cloud (Singapore) Private Limited"


def footer_of(response) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.content, "html.parser").select_one("footer .organisation").get_text()


def decoded(value: str) -> str:
    return str(make_header(decode_header(value)))


def parts(message: email.message.Message) -> tuple[str, str]:
    text, html = message.get_payload()
    return text.get_payload(decode=True).decode(), html.get_payload(decode=True).decode()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback (aiosmtpd), and Django's SMTP backend pointed at it."""
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.mail_from, envelope.rcpt_tos, envelope.original_content))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.DEFAULT_FROM_EMAIL = "Privacy Office <privacy@notices.alibabacloud.example>"
    yield received
    controller.stop()


def test_a_notice_through_a_real_smtp_server_names_the_organisation(material_draft, publish, smtp_server):
    subscribers = make_subscribers(8)
    publish(material_draft)
    assert len(smtp_server) == 8
    campaign = Campaign.objects.get()
    for sender, (recipient,), data in smtp_server:
        parsed = email.message_from_bytes(data)
        language = parsed["Content-Language"]
        display, address = email.utils.parseaddr(decoded(parsed["From"]))
        assert sender == address == "privacy@notices.alibabacloud.example"
        assert display.startswith("Alibaba Cloud ")
        assert re.match(r"Alibaba Cloud[:\uff1a] ?\S", decoded(parsed["Subject"]))  # ja, zh: a full-width colon
        text, html = parts(parsed)
        for body in (text, html):
            assert LEGAL_NAME in body
            assert "51 Bras Basah Road, #03-06 Lazada One" in body and "Singapore 189554" in body
            assert "DPO_Intl@alibabacloud.com" in body
        if language == "en":
            assert display == "Alibaba Cloud Privacy Office"
            assert "Sent by Alibaba Cloud (Singapore) Private Limited" in text
            assert "Questions about your personal data: Data Protection Officer, DPO_Intl@alibabacloud.com" in text
        if language == "ko":
            assert "개인정보 보호책임자" in text

        # The Message-ID is a keyed hash: no campaign or subscriber number in it, in any form.
        subscriber = Subscriber.objects.get(email=recipient)
        message_id = parsed["Message-ID"]
        local = message_id.strip("<>").split("@")[0]
        assert message_id == Delivery.objects.get(campaign=campaign, subscriber=subscriber).message_id
        assert not re.search(r"\d+[-._]\d+", local), message_id
        for separator in ("-", ".", "_", ""):
            assert f"{campaign.pk}{separator}{subscriber.pk}" not in local
        assert "notice" not in local
    # Distinct and unordered: nothing counts the subscribers.
    ids = [email.message_from_bytes(data)["Message-ID"] for _s, _r, data in smtp_server]
    assert len(set(ids)) == len(subscribers)
    by_subscriber = [Delivery.objects.get(subscriber=s).message_id for s in subscribers]
    assert by_subscriber != sorted(by_subscriber) or by_subscriber != sorted(by_subscriber, reverse=True)


def test_message_ids_stay_the_same_for_a_pair_and_change_with_the_secret_key(settings):
    from django.utils.crypto import salted_hmac

    from subscriptions.models import MESSAGE_ID_SALT

    one = Delivery(campaign_id=1, subscriber_id=2).message_id
    # Django's salted_hmac under SECRET_KEY, as documented (the key derivation is cached),
    # its first 128 bits spelt in letters.
    expected = salted_hmac(MESSAGE_ID_SALT, "1:2", algorithm="sha256").hexdigest()[:32]
    assert one == f"<{expected.translate(str.maketrans('0123456789abcdef', 'abcdefghijklmnop'))}@localhost>"
    assert re.fullmatch(r"<[a-p]{32}@localhost>", one)
    assert one == Delivery(campaign_id=1, subscriber_id=2).message_id
    assert one != Delivery(campaign_id=2, subscriber_id=1).message_id
    assert one != Delivery(campaign_id=12, subscriber_id=2).message_id
    settings.SECRET_KEY = "another-secret-key-of-enough-length-0123456789-abcdefghijkl"
    assert one != Delivery(campaign_id=1, subscriber_id=2).message_id


def test_no_email_puts_the_recipients_address_in_a_url(
    material_draft, publish, client, django_capture_on_commit_callbacks
):
    from tests.tasks import run_due_tasks

    addresses = ["ada.lovelace@example.org", "o'brien+notices@example.co.uk", "zoe.q@bücher.example"]
    for address in addresses:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/en/privacy/subscribe/", {"email": address, "language": "en"})
        run_due_tasks()
    confirmations = list(mail.outbox)
    assert len(confirmations) == len(addresses)
    for message in confirmations:
        path = re.search(r"https?://\S+?(/en/privacy/subscribe/confirm/\S+/)", message.body)[1]
        assert client.post(path).status_code == 200
    mail.outbox.clear()
    publish(material_draft)
    notices = list(mail.outbox)
    assert len(notices) == len(addresses)
    for message in confirmations + notices:
        (recipient,) = message.to
        local, _at, domain = recipient.rpartition("@")
        raw = message.message().as_bytes().decode("utf-8", "replace")
        urls = URL.findall(raw) + URL.findall(message.body) + URL.findall(message.alternatives[0].content)
        assert urls
        for url in urls:
            for form in (url, unquote(url), unquote(unquote(url))):
                assert recipient.casefold() not in form.casefold(), url
                assert local.casefold() not in form.casefold(), url
            assert domain.encode("idna").decode() not in url


def test_the_confirmation_email_names_the_organisation_too(client, django_capture_on_commit_callbacks):
    from tests.tasks import run_due_tasks

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/privacy/subscribe/", {"email": "ada@example.org", "language": "ja"})
    run_due_tasks()
    (message,) = mail.outbox
    assert message.subject.startswith("Alibaba Cloud\uff1a")  # a full-width colon in Japanese
    assert message.from_email.startswith("Alibaba Cloud ")
    assert LEGAL_NAME in message.body and "データ保護責任者" in message.body
    assert LEGAL_NAME in message.alternatives[0].content


def test_an_edit_in_the_admin_reaches_the_next_email_and_every_page_footer(
    admin_client, client, launch_content, django_capture_on_commit_callbacks
):
    from tests.tasks import run_due_tasks

    footer = footer_of(client.get("/en/privacy/"))
    assert LEGAL_NAME in footer and "DPO_Intl@alibabacloud.com" in footer and "Singapore 189554" in footer
    # The list of one row opens the row; a second cannot be added, nor the row deleted.
    assert admin_client.get("/admin/core/organisation/").url == "/admin/core/organisation/1/change/"
    assert admin_client.get("/admin/core/organisation/add/").status_code == 403
    assert admin_client.get("/admin/core/organisation/1/delete/").status_code == 403
    assert admin_client.get("/admin/core/organisation/1/change/").status_code == 200
    data = {
        "name_en": "Example Holdings Pte. Ltd.",
        "short_name_en": "Example",
        "postal_address_en": "1 Harbour Road\nSingapore 000001",
        "dpo_name_en": "Privacy Lead",
        "dpo_name_ko": "개인정보 보호책임자",
        "dpo_email": "privacy-lead@example.com",
    }
    for code in ("ko", "zh_hans", "ja"):
        data.update({f"name_{code}": "", f"short_name_{code}": "", f"postal_address_{code}": ""})
    data.update({"dpo_name_zh_hans": "", "dpo_name_ja": ""})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/core/organisation/1/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get().short_name_en == "Example"

    footer = footer_of(client.get("/en/privacy/"))  # a cached page: the edit retired it
    assert "Example Holdings Pte. Ltd." in footer and LEGAL_NAME not in footer
    assert "Privacy Lead: privacy-lead@example.com" in footer
    footer = footer_of(client.get("/ko/privacy/subscribe/"))  # a page rendered per request
    assert "Example Holdings Pte. Ltd." in footer  # no Korean name: the English one
    assert "개인정보 보호책임자" in footer
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/privacy/subscribe/", {"email": "ada@example.org", "language": "en"})
    run_due_tasks()
    (message,) = mail.outbox
    assert message.subject.startswith("Example: ")
    assert message.from_email.startswith("Example Privacy Office <")
    assert "Sent by Example Holdings Pte. Ltd." in message.body and "privacy-lead@example.com" in message.body


def test_a_line_break_in_a_name_is_refused(admin_client):
    data = {
        "name_en": "Evil\r\nBcc: victim@example.org",
        "short_name_en": "Evil",
        "postal_address_en": "x",
        "dpo_name_en": "x",
        "dpo_email": "x@example.com",
    }
    response = admin_client.post("/admin/core/organisation/1/change/", data)
    assert response.status_code == 200  # the form again, with its error
    assert "Use a single line" in response.content.decode()
    assert Organisation.objects.get().name_en == LEGAL_NAME
