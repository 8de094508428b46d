"""The DPO's queue: who sees it, transitions, extensions, replies, the digest, exports, retention."""

import datetime
import json

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from rights import services
from rights.deadlines import add_months
from rights.models import AppendOnlyError, Note, PrivacyRequest, Reply, Transition
from subscriptions.models import Subscriber
from tests.tasks import run_due_tasks

from .conftest import FORM_URL, FROM_KOREA, form_data, links, path_of, soup

pytestmark = pytest.mark.django_db


def verified_request(client, **overrides) -> PrivacyRequest:
    """A request made through the form and confirmed through the link in its email."""
    before = len(mail.outbox)
    client.post(FORM_URL, form_data(**overrides), **overrides.pop("extra", {}))
    run_due_tasks()
    (confirm,) = links(mail.outbox[before].body, "confirm")
    client.post(path_of(confirm))
    run_due_tasks()
    return PrivacyRequest.objects.get(email=form_data(**overrides)["email"], status="verified")


@pytest.fixture
def officer(db):
    user = User.objects.create_user("dpo", "dpo@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Privacy officers"))
    return user


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def test_only_privacy_officers_see_requests(site, client, officer_client, admin_user):
    req = verified_request(client)
    assert officer_client.get("/admin/rights/privacyrequest/").status_code == 200
    other = User.objects.create_user("editor", "e@example.com", "pw", is_staff=True)
    other.groups.add(Group.objects.get(name="Legal editors"))
    from django.test import Client

    for user in (other, admin_user):  # a superuser outside the group is refused too
        outsider = Client()
        outsider.force_login(user)
        assert outsider.get("/admin/rights/privacyrequest/").status_code == 403
        assert outsider.get(f"/admin/rights/privacyrequest/{req.pk}/change/").status_code in (302, 403)
        assert "Privacy requests" not in outsider.get("/admin/").content.decode()


def test_transitions_are_recorded_with_who_and_when_and_cannot_be_rewritten(site, client, officer_client, officer):
    req = verified_request(client)
    page = officer_client.get(f"/admin/rights/privacyrequest/{req.pk}/transition/")
    assert page.status_code == 200
    officer_client.post(f"/admin/rights/privacyrequest/{req.pk}/transition/", {"to_status": "in-progress"})
    officer_client.post(f"/admin/rights/privacyrequest/{req.pk}/transition/", {"to_status": "completed"})
    req.refresh_from_db()
    assert req.status == "completed" and req.closed_at
    history = list(Transition.objects.filter(request=req).values_list("from_status", "to_status", "by__username"))
    assert history == [
        ("", "received", None),
        ("received", "verified", None),
        ("verified", "in-progress", "dpo"),
        ("in-progress", "completed", "dpo"),
    ]
    # A closed request moves no further; nor can history be edited or deleted.
    with pytest.raises(services.TransitionRefused):
        services.request_transition(request=req, to_status="in-progress", user=officer)
    with pytest.raises(AppendOnlyError):
        Transition.objects.filter(request=req).update(comment="x")
    with pytest.raises(AppendOnlyError):
        Transition.objects.filter(request=req).delete()
    first = Transition.objects.first()
    first.comment = "rewritten"
    with pytest.raises(AppendOnlyError):
        first.save()


@pytest.mark.parametrize("kind", ["note", "reply"])
def test_notes_and_replies_cannot_be_rewritten_or_deleted_but_go_with_the_request(
    site, client, officer, kind, settings
):
    req = verified_request(client)
    if kind == "note":
        row = services.note_add(request=req, text="Called the requester.", user=officer)
    else:
        row = services.reply_send(request=req, subject="Your request", body="Done.", user=officer)
    rows = type(row).objects.filter(request=req)
    with pytest.raises(AppendOnlyError):
        rows.update(request=req)
    with pytest.raises(AppendOnlyError):
        rows.delete()
    with pytest.raises(AppendOnlyError):
        row.save()
    services.request_transition(request=req, to_status="completed", user=officer)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.REQUESTS_RETENTION_DAYS + 1)):
        call_command("prune_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not rows.exists()


def test_a_korean_officer_reads_the_history_by_the_statuses_names(site, client, officer_client):
    req = verified_request(client)
    page = officer_client.get(f"/admin/rights/privacyrequest/{req.pk}/change/", HTTP_ACCEPT_LANGUAGE="ko")
    body = page.content.decode()
    assert "접수됨, 이메일 확인 대기 중 → 확인됨" in body
    assert "received → verified" not in body


def test_an_extension_needs_a_reason_and_emails_the_requester(site, client, officer_client):
    req = verified_request(client, jurisdiction="eea-uk", email="eu@example.de", language="ko")
    due = req.due_date
    mail.outbox.clear()
    response = officer_client.post(f"/admin/rights/privacyrequest/{req.pk}/extend/", {"reason": ""})
    assert response.status_code == 200 and soup(response).find(class_="errorlist")
    officer_client.post(f"/admin/rights/privacyrequest/{req.pk}/extend/", {"reason": "Many systems to search."})
    run_due_tasks()
    req.refresh_from_db()
    assert req.status == "extended" and req.extension_reason == "Many systems to search."
    # EEA: two more months, once.
    assert req.due_date == add_months(due, 2)
    (notice,) = mail.outbox
    assert notice.to == ["eu@example.de"] and "Many systems to search." in notice.body
    assert notice.extra_headers["Content-Language"] == "ko"
    assert not req.can_extend


def test_korea_has_no_extension(site, client, officer):
    req = verified_request(client)
    with pytest.raises(services.TransitionRefused):
        services.request_extend(request=req, reason="busy", user=officer)


def test_a_reply_is_sent_in_the_requesters_language_and_shown_on_the_status_page(site, client, officer_client):
    req = verified_request(client, language="ja", email="taro@example.jp")
    (ack,) = [m for m in mail.outbox if m.to == ["taro@example.jp"] and links(m.body, "status")]
    assert ack.extra_headers["Content-Language"] == "ja"
    mail.outbox.clear()
    officer_client.post(
        f"/admin/rights/privacyrequest/{req.pk}/reply/",
        {"subject": "Your data", "body": "We hold nothing else about you."},
    )
    run_due_tasks()
    (reply,) = mail.outbox
    assert reply.subject == "Your data" and "We hold nothing else about you." in reply.body
    assert reply.extra_headers["Content-Language"] == "ja"
    assert "参照番号" in reply.body or req.reference in reply.body
    (status,) = links(ack.body, "status")
    page = client.get(path_of(status))
    assert "We hold nothing else about you." in page.content.decode()
    assert Reply.objects.get().author.username == "dpo"


def test_notes_and_assignee_from_the_change_page(site, client, officer_client, officer):
    req = verified_request(client)
    page = officer_client.get(f"/admin/rights/privacyrequest/{req.pk}/change/")
    assert page.status_code == 200
    form = soup(page).find("form", id="privacyrequest_form")
    data = {
        i["name"]: i.get("value", "")
        for i in form.find_all("input")
        if i.get("name") and i.get("type") not in ("submit", "checkbox")
    }
    data.update({"assignee": str(officer.pk), "notes-0-text": "Called the requester."})
    response = officer_client.post(f"/admin/rights/privacyrequest/{req.pk}/change/", data)
    assert response.status_code == 302, soup(response).find_all(class_="errorlist")
    req.refresh_from_db()
    assert req.assignee == officer
    assert list(Note.objects.filter(request=req).values_list("text", flat=True))[-1] == "Called the requester."


def test_overdue_and_due_soon_filters_and_the_daily_digest(site, client, officer_client, officer):
    late = verified_request(client, email="late@example.com")
    soon = verified_request(client, email="soon@example.com")
    later = verified_request(client, email="later@example.com")
    today = late.verified_at.date()
    PrivacyRequest.objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=1), assignee=officer)
    PrivacyRequest.objects.filter(pk=soon.pk).update(due_date=today + datetime.timedelta(days=2), assignee=officer)
    PrivacyRequest.objects.filter(pk=later.pk).update(assignee=officer)
    with time_machine.travel(late.verified_at, tick=False):
        overdue = officer_client.get("/admin/rights/privacyrequest/?due=overdue").content.decode()
        due_soon = officer_client.get("/admin/rights/privacyrequest/?due=soon").content.decode()
        assert late.reference in overdue and soon.reference not in overdue and later.reference not in overdue
        assert soon.reference in due_soon and late.reference not in due_soon
        mail.outbox.clear()
        call_command("request_digest", "--schedule", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("request_digest", "--schedule", stdout=open("/dev/null", "w"))  # noqa: SIM115  (no second chain)
    with time_machine.travel(late.verified_at + datetime.timedelta(days=1), tick=False):
        done = run_due_tasks()
    assert [name for name, _ in done] == ["daily"]
    (digest,) = mail.outbox
    assert digest.to == ["dpo@example.com"]
    assert late.reference in digest.body and soon.reference in digest.body and later.reference not in digest.body
    assert "1 overdue" in digest.subject


def test_access_export_holds_subscription_notices_earlier_requests_and_this_browsers_consent(
    site, cookie_groups, client, officer_client
):
    now = timezone.now()
    Subscriber.objects.create(email="me@example.com", email_key="me@example.com", language="en", confirmed_at=now)
    verified_request(client, email="me@example.com", request_type="correction")
    # The browser records a cookie choice, then asks for its data.
    page = soup(client.get("/en/privacy/"))
    form = page.find("button", string="Reject all").find_parent("form")
    client.post(form["action"], {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")})
    forged = form_data(email="me@example.com", request_type="portability", consent_id="someone-elses")
    client.post(FORM_URL, forged)
    run_due_tasks()
    (confirm,) = links(mail.outbox[-1].body, "confirm")
    client.post(path_of(confirm))
    req = PrivacyRequest.objects.get(request_type="portability")
    assert req.consent_id and req.consent_id != "someone-elses"
    response = officer_client.get(f"/admin/rights/privacyrequest/{req.pk}/export.json")
    assert response.status_code == 200
    export = json.loads(b"".join(response.streaming_content))
    assert export["email"] == "me@example.com"
    assert export["subscriptions"][0]["status"] == "confirmed"
    assert [r["type"] for r in export["earlier_requests"]] == ["correction"]
    assert export["consent_records"] and all(r["consent_id"] == req.consent_id for r in export["consent_records"])
    # The DPO sends it with a reply.
    mail.outbox.clear()
    reply_page = soup(officer_client.get(f"/admin/rights/privacyrequest/{req.pk}/reply/"))
    assert reply_page.find("input", attrs={"name": "with_export"})
    officer_client.post(
        f"/admin/rights/privacyrequest/{req.pk}/reply/",
        {"subject": "Your data", "body": "Attached.", "with_export": "on"},
    )
    run_due_tasks()
    (sent,) = [m for m in mail.outbox if m.subject == "Your data"]
    ((name, content, mimetype),) = sent.attachments
    assert name == f"{req.reference}.json" and mimetype == "application/json"
    assert json.loads(content)["email"] == "me@example.com"


def test_deletion_erases_the_subscription_at_once_and_keeps_consent_records(site, cookie_groups, client):
    from cookies.models import ConsentRecord

    page = soup(client.get("/en/privacy/"))
    form = page.find("button", string="Reject all").find_parent("form")
    client.post(form["action"], {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")})
    Subscriber.objects.create(
        email="gone@example.com", email_key="gone@example.com", language="en", confirmed_at=timezone.now()
    )
    records = ConsentRecord.objects.count()
    req = verified_request(client, email="gone@example.com", request_type="deletion")
    assert not Subscriber.objects.filter(email_key="gone@example.com").exists()
    assert req.erasure == {"subscriptions": 1}
    assert ConsentRecord.objects.count() == records
    ack = mail.outbox[-1]
    assert "subscription to change notices has been erased" in ack.body and "proof of consent" in ack.body


def test_a_deletion_reply_starts_with_what_was_erased_and_kept_in_the_requesters_language(site, client, officer_client):
    req = verified_request(client, email="del@example.com", request_type="deletion", language="ko")
    page = soup(officer_client.get(f"/admin/rights/privacyrequest/{req.pk}/reply/"))
    body = page.find("textarea", attrs={"name": "body"}).get_text()
    assert "쿠키" in body  # the consent records kept as proof, said in Korean
    assert not page.find("input", attrs={"name": "with_export"})  # nothing to export for a deletion


def test_closed_requests_are_pruned_after_the_retention_period_with_their_history(site, client, officer, settings):
    req = verified_request(client)
    services.request_transition(request=req, to_status="completed", user=officer)
    services.note_add(request=req, text="done", user=officer)
    open_one = verified_request(client, email="still@example.com")
    call_command("prune_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PrivacyRequest.objects.count() == 2
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.REQUESTS_RETENTION_DAYS + 1)):
        call_command("prune_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(PrivacyRequest.objects.values_list("pk", flat=True)) == [open_one.pk]
    assert not Transition.objects.filter(request_id=req.pk).exists()
    assert not Note.objects.exists()


def test_csv_export_is_streamed_and_safe_for_spreadsheets(site, client, officer_client):
    req = verified_request(client, name="=HYPERLINK(1)", extra=FROM_KOREA)
    response = officer_client.post(
        "/admin/rights/privacyrequest/", {"action": "export_csv", "_selected_action": [req.pk]}
    )
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    header, row = body.splitlines()[:2]
    assert header.startswith("reference,type,jurisdiction,status") and header.endswith(",located_jurisdiction")
    assert row.endswith(",kr")  # where it was made, from the server
    assert req.reference in body and "HYPERLINK" not in body  # names are not exported
    from io import StringIO

    out = StringIO()
    call_command("export_requests", stdout=out)
    assert req.reference in out.getvalue()


def test_make_run_queues_one_daily_chain_in_the_database_queue(db, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for _ in range(2):
        call_command("request_digest", "--schedule", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DBTaskResult.objects.filter(task_path="rights.tasks.daily", status="READY").count() == 1


def test_the_requests_own_pages_tell_a_non_officer_nothing_not_even_which_exist(site, client, admin_user):
    # A refusal that depended on whether the reference number exists would let any staff
    # member count the requests: the same 403 for a real one and a made-up one.
    req = verified_request(client)
    editor = User.objects.create_user("editor", "e@example.com", "pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Legal editors"))
    from django.test import Client

    for user in (editor, admin_user):
        outsider = Client()
        outsider.force_login(user)
        for pk in (req.pk, req.pk + 1000):
            for view in ("transition/", "extend/", "reply/", "export.json"):
                assert outsider.get(f"/admin/rights/privacyrequest/{pk}/{view}").status_code == 403, (pk, view)
            assert (
                outsider.post(f"/admin/rights/privacyrequest/{pk}/reply/", {"subject": "s", "body": "b"}).status_code
                == 403
            )
    assert not Reply.objects.exists()
