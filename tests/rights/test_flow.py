"""The request lifecycle through the form, email links, the status page and the admin."""

import datetime
import email
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from rights.models import PrivacyRequest, Transition
from tests.tasks import run_due_tasks

from .conftest import FORM_URL, FROM_CALIFORNIA, FROM_GERMANY, FROM_KOREA, form_data, free_port, links, path_of, soup

pytestmark = pytest.mark.django_db
LEGAL = zoneinfo.ZoneInfo("Asia/Singapore")


def confirm_from_text(client, text: str):
    (confirm,) = links(text, "confirm")
    page = client.get(path_of(confirm))
    assert page.status_code == 200
    assert soup(page).find("button", string="Confirm the request")
    return client.post(path_of(confirm))


def status_page(client, response):
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def due_shown(page) -> str:
    return soup(page).find(attrs={"data-due-date": True})["data-due-date"]


def test_korea_access_through_a_real_smtp_server(site, client, settings, admin_client):
    """Form → verification email over SMTP → button → due in 10 days, on the status page and in the admin."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.original_content))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        form = client.get(FORM_URL, **FROM_KOREA)
        assert soup(form).find("option", value="kr", selected=True)
        response = client.post(FORM_URL, form_data(), **FROM_KOREA)
        assert response.status_code == 302 and response["Location"].endswith("/privacy/requests/sent/")
        run_due_tasks()
        ((rcpt, raw),) = received
        assert rcpt == ["minjun@example.kr"]
        message = email.message_from_bytes(raw)
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
        # No personal data in the link itself.
        (confirm,) = links(text.decode(), "confirm")
        assert "minjun" not in confirm and "example" not in confirm
        assert any(p.get_content_type() == "text/html" for p in message.walk())
        verified_day = timezone.now().astimezone(LEGAL).date()
        page = status_page(client, confirm_from_text(client, text.decode()))
        run_due_tasks()  # the acknowledgement
    finally:
        controller.stop()
    due = verified_day + datetime.timedelta(days=10)
    assert due_shown(page) == due.isoformat()
    assert "Verified" in page.content.decode()
    request = PrivacyRequest.objects.get()
    assert request.due_date == due and request.network and "." in request.network
    # The acknowledgement carries the same date and the status link.
    assert len(received) == 2
    ack = email.message_from_bytes(received[1][1])
    assert "received" in ack["Subject"].lower()
    ack_text = next(p for p in ack.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert links(ack_text, "status")
    # The admin queue shows the same due date to a privacy officer.
    from django.contrib.auth.models import Group, User

    officer = User.objects.get(username="admin")
    officer.groups.add(Group.objects.get(name="Privacy officers"))
    listing = admin_client.get("/admin/rights/privacyrequest/")
    assert listing.status_code == 200
    assert request.reference in listing.content.decode()
    change = admin_client.get(f"/admin/rights/privacyrequest/{request.pk}/change/")
    assert change.status_code == 200
    from django.utils import formats

    assert formats.date_format(due, "DATE_FORMAT") in change.content.decode()


def test_california_deletion_is_acknowledged_and_due_in_45_days(site, client):
    client.post(
        FORM_URL, form_data(request_type="deletion", jurisdiction="us-ca", email="ca@example.com"), **FROM_CALIFORNIA
    )
    run_due_tasks()
    (verification,) = mail.outbox
    verified_day = timezone.now().astimezone(LEGAL).date()
    page = status_page(client, confirm_from_text(client, verification.body))
    run_due_tasks()
    assert due_shown(page) == (verified_day + datetime.timedelta(days=45)).isoformat()
    ack = mail.outbox[1]
    assert ack.to == ["ca@example.com"] and "received" in ack.subject.lower()
    assert "cookie choices" in ack.body  # consent records are kept as proof, and the reply says so
    request = PrivacyRequest.objects.get()
    assert request.acknowledged_at is not None
    # Acknowledge within 10 business days: 14 calendar days from a weekday start at most.
    assert request.acknowledge_by <= verified_day + datetime.timedelta(days=14)


def test_eea_request_is_due_in_one_month(site, client):
    with time_machine.travel(datetime.datetime(2027, 1, 31, 3, 0, tzinfo=datetime.UTC), tick=False):
        client.post(FORM_URL, form_data(jurisdiction="eea-uk", email="de@example.de"), **FROM_GERMANY)
        run_due_tasks()
        page = status_page(client, confirm_from_text(client, mail.outbox[0].body))
    # 31 January + one month is the last day of February.
    assert due_shown(page) == "2027-02-28"


def test_the_law_where_the_request_is_made_applies_when_its_deadline_is_sooner(site, client):
    """Declared California, made from South Korea: due in Korea's 10 days, not California's 45;
    where it was made comes from the server, whatever the form posts."""
    client.post(
        FORM_URL,
        {**form_data(jurisdiction="us-ca", email="ca@example.com"), "located_jurisdiction": "us-ca"},
        **FROM_KOREA,
    )
    run_due_tasks()
    assert PrivacyRequest.objects.get().located_jurisdiction == "kr"
    verified_day = timezone.now().astimezone(LEGAL).date()
    page = status_page(client, confirm_from_text(client, mail.outbox[0].body))
    assert due_shown(page) == (verified_day + datetime.timedelta(days=10)).isoformat()
    request = PrivacyRequest.objects.get()
    assert (request.jurisdiction, request.extension) == ("us-ca", 0)  # Korea allows no extension
    # California's acknowledgement duty stands: both laws apply.
    assert request.acknowledge_by is not None
    assert "sooner than" in request.rule_summary


def test_a_declared_residence_with_a_sooner_deadline_than_the_location_keeps_it(site, client):
    client.post(FORM_URL, form_data(jurisdiction="kr", email="kr@example.kr"), **FROM_CALIFORNIA)
    run_due_tasks()
    verified_day = timezone.now().astimezone(LEGAL).date()
    page = status_page(client, confirm_from_text(client, mail.outbox[0].body))
    assert due_shown(page) == (verified_day + datetime.timedelta(days=10)).isoformat()
    assert PrivacyRequest.objects.get().located_jurisdiction == "us-ca"


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(site, client):
    client.post(FORM_URL, form_data(email="known@example.com"))
    run_due_tasks()
    confirm_from_text(client, mail.outbox[0].body)
    known = client.post(FORM_URL, form_data(email="known@example.com"))
    unknown = client.post(FORM_URL, form_data(email="nobody@example.com"))
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content


def test_forged_expired_and_reused_links(site, client, settings):
    client.post(FORM_URL, form_data())
    run_due_tasks()
    (confirm,) = links(mail.outbox[0].body, "confirm")
    assert client.get(path_of(confirm[:-8] + "AAAAAAA/")).status_code == 400
    assert client.get("/en/privacy/requests/confirm/garbage/").status_code == 400
    assert client.get("/en/privacy/requests/status/PR-AAAA.bad/").status_code == 400
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.REQUESTS_VERIFY_MAX_AGE + 5)):
        assert client.get(path_of(confirm)).status_code == 410
    assert client.post(path_of(confirm)).status_code == 302
    assert client.get(path_of(confirm)).status_code == 410
    assert client.post(path_of(confirm)).status_code == 410
    assert Transition.objects.filter(to_status="verified").count() == 1


@pytest.mark.parametrize(
    "field,value",
    [
        ("request_type", "'; DROP TABLE"),
        ("jurisdiction", "mars"),
        ("email", "not an address"),
        ("email", "a@example.com\r\nBcc: x@example.com"),
        ("name", ""),
        ("name", "x" * 5000),
        ("name", "a\x00b"),
        ("name", "line\nbreak"),
        ("details", "\x00"),
        ("details", "y" * 6000),
        ("language", "xx"),
        ("agent_email", "not-email"),
    ],
)
def test_garbage_is_a_form_error(site, client, field, value):
    data = form_data(**{field: value})
    if field == "agent_email":
        data.update(by_agent="on", agent_name="Agent", jurisdiction="us-ca")
    response = client.post(FORM_URL, data)
    assert response.status_code == 200
    assert soup(response).find(class_="errorlist")
    assert not PrivacyRequest.objects.exists()


def test_overseas_transfer_is_a_korean_right_and_agents_are_californian(site, client):
    response = client.post(FORM_URL, form_data(request_type="overseas-transfer", jurisdiction="au"))
    assert soup(response).find(class_="errorlist")
    response = client.post(FORM_URL, form_data(by_agent="on", agent_name="A", agent_email="agent@example.com"))
    assert soup(response).find(class_="errorlist")


def test_an_agent_request_counts_only_once_the_consumer_confirms(site, client):
    response = client.post(
        FORM_URL,
        form_data(
            jurisdiction="us-ca",
            email="consumer@example.com",
            by_agent="on",
            agent_name="Ann Agent",
            agent_email="agent@example.com",
        ),
    )
    assert response.status_code == 302
    run_due_tasks()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["agent@example.com", "consumer@example.com"]
    agent_mail = next(m for m in mail.outbox if m.to == ["agent@example.com"])
    assert not links(agent_mail.body, "confirm")  # only the consumer can confirm
    consumer_mail = next(m for m in mail.outbox if m.to == ["consumer@example.com"])
    assert "Ann Agent" in consumer_mail.body
    request = PrivacyRequest.objects.get()
    assert request.status == "received" and request.due_date is None
    confirm_from_text(client, consumer_mail.body)
    request.refresh_from_db()
    assert request.status == "verified" and request.due_date


def test_rate_limits_per_address_and_per_client(site, client, settings):
    settings.REQUESTS_RATE_PER_ADDRESS = 2
    settings.REQUESTS_RATE_PER_CLIENT = 4
    answers = [client.post(FORM_URL, form_data()).status_code for _ in range(3)]
    assert answers == [302, 302, 302]  # same answer beyond the address's limit ...
    run_due_tasks()
    assert len(mail.outbox) == 2  # ... but nothing more is sent
    assert client.post(FORM_URL, form_data(email="other@example.com")).status_code == 302
    assert client.post(FORM_URL, form_data(email="third@example.com")).status_code == 429


def test_unverified_requests_are_deleted_after_the_verification_window(site, client, settings):
    from django.core.management import call_command

    client.post(FORM_URL, form_data())
    assert PrivacyRequest.objects.count() == 1
    call_command("prune_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PrivacyRequest.objects.count() == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.REQUESTS_VERIFY_MAX_AGE + 60)):
        call_command("prune_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not PrivacyRequest.objects.exists()
    assert not Transition.objects.exists()


def test_an_unverified_request_is_deleted_when_its_link_expires_without_the_daily_run(site, client, settings):
    client.post(FORM_URL, form_data())
    run_due_tasks()  # the verification email; the deletion waits for the link's expiry
    assert PrivacyRequest.objects.count() == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.REQUESTS_VERIFY_MAX_AGE + 1)):
        assert ("unverified_prune", 1) in [(name.rsplit(".", 1)[-1], value) for name, value in run_due_tasks()]
    assert not PrivacyRequest.objects.exists()


def test_a_new_request_deletes_the_expired_unverified_ones_even_with_no_worker(site, client, settings):
    client.post(FORM_URL, form_data())
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.REQUESTS_VERIFY_MAX_AGE + 1)):
        client.post(FORM_URL, form_data(email="later@example.com"))
    assert list(PrivacyRequest.objects.values_list("email", flat=True)) == ["later@example.com"]


def test_the_form_preselects_the_visitors_location_and_the_type_from_the_link(site, client):
    page = soup(client.get(FORM_URL + "?type=portability", **FROM_CALIFORNIA))
    assert page.find("option", value="us-ca", selected=True)
    assert page.find("option", value="portability", selected=True)
    korean = client.get("/ko/privacy/requests/", **FROM_KOREA)
    assert korean.status_code == 200 and 'lang="ko"' in korean.content.decode()
    assert "요청 보내기" in korean.content.decode() and "대한민국" in korean.content.decode()
    japanese = client.get("/ja/privacy/requests/").content.decode()
    assert "請求を送信" in japanese and "お住まいの地域" in japanese
    assert korean["Cache-Control"].count("no-store")
