"""What an auditor reads in a request's history: every change of hands is written down."""

import pytest

from rights.models import Note

from .conftest import form_data, soup
from .test_queue import officer, officer_client, verified_request  # noqa: F401

pytestmark = pytest.mark.django_db


def test_assigning_a_request_in_the_admin_leaves_a_note(site, client, officer_client, officer):  # noqa: F811
    req = verified_request(client)
    page = officer_client.get(f"/admin/rights/privacyrequest/{req.pk}/change/")
    form = soup(page).find("form", id="privacyrequest_form")
    data = {
        i["name"]: i.get("value", "")
        for i in form.find_all("input")
        if i.get("name") and i.get("type") not in ("submit", "checkbox")
    }
    data["assignee"] = str(officer.pk)
    response = officer_client.post(f"/admin/rights/privacyrequest/{req.pk}/change/", data)
    assert response.status_code == 302
    assert list(Note.objects.filter(request=req).values_list("text", flat=True)) == ["Assigned to dpo."]


def test_an_agents_browser_is_not_recorded_as_the_consumers(site, cookie_groups, client):
    # The agent chooses cookies in their own browser, then files an access request for a consumer.
    page = soup(client.get("/en/privacy/"))
    form = page.find("button", string="Reject all").find_parent("form")
    client.post(form["action"], {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")})
    assert client.cookies.get("consent_id")
    req = verified_request(
        client,
        jurisdiction="us-ca",
        email="consumer@example.com",
        by_agent="on",
        agent_name="Ann Agent",
        agent_email="agent@example.com",
    )
    # The consumer never used that browser: its consent records are the agent's, and must
    # neither be filed under the consumer's request nor go out in the consumer's export.
    assert req.consent_id == ""
    assert req.export["consent_records"] == []


UNCONFIRMED = "Unconfirmed.Requester@Example.org"


def test_a_verification_email_the_relay_refuses_leaves_no_address_behind(site, client, settings, caplog):
    import logging
    import smtplib

    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from rights.models import PrivacyRequest
    from tests.subscriptions.backends import ScriptedBackend
    from tests.subscriptions.test_nothing_kept import DATABASE_TASKS, run_worker, tables_holding

    settings.EMAIL_BACKEND = "tests.subscriptions.backends.ScriptedBackend"
    ScriptedBackend.reset()
    refusal = smtplib.SMTPRecipientsRefused({UNCONFIRMED: (550, f"5.1.1 <{UNCONFIRMED}>: no such user".encode())})
    ScriptedBackend.errors = {UNCONFIRMED: [refusal]}
    try:
        with override_settings(TASKS=DATABASE_TASKS):
            client.post("/en/privacy/requests/", {**form_data(), "email": UNCONFIRMED})  # runs on-commit
            with caplog.at_level(logging.INFO):
                assert run_worker() == 1
    finally:
        ScriptedBackend.reset()
    # The link never reached anyone, so the request can never be confirmed: nothing of the
    # address is kept, neither the request nor the task's stored traceback nor the log.
    assert tables_holding(UNCONFIRMED) == {}
    assert not PrivacyRequest.objects.exists()
    assert UNCONFIRMED.casefold() not in caplog.text.casefold()
    assert DBTaskResult.objects.get(task_path="rights.tasks.verification_send").status == "FAILED"
