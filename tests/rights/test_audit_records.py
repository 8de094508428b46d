"""What an auditor reads in a request's history: every change of hands is written down."""

import pytest

from rights.models import Note

from .conftest import soup
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
