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
