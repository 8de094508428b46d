"""The lawyer's workspace (issue 11): one section at a time, one language, the preview beside it."""

import datetime

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User

from notices import services
from notices.models import VersionEvent
from tests.notices.test_editorial import TODAY, page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 3, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def editor(db):
    user = User.objects.create_user("lawyer", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Legal editors"))
    return user


def url(draft, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/admin/notices/policyversion/{draft.pk}/workspace/?{query}"


def form_of(response):
    form = page(response).find("form", id="workspace-form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name") and i["type"] != "submit"}
    data.update({t["name"]: t.get_text() for t in form.find_all("textarea")})
    return data


def test_one_section_in_one_language_with_its_preview(client, launch_content, editor):
    draft = services.draft_start_next()
    client.force_login(editor)
    html = page(client.get(url(draft, section="south-korea-addendum", language="ko")))
    assert len(html.find_all("textarea")) == 1  # one section, not 76 textareas
    assert html.select_one("#workspace-language option[selected]")["value"] == "ko"
    assert [o.get_text() for o in html.select("#workspace-language option")] == [
        "English",
        "한국어",
        "简体中文",
        "日本語",
    ]
    assert len(html.select(".workspace-save")) == 2  # Save at the top and at the bottom
    assert html.select_one(".workspace-english") is not None  # the English text for reference
    # the preview renders the Markdown tables as tables (English here: no Korean text yet)
    english = page(client.get(url(draft, section="south-korea-addendum", language="en")))
    assert len(english.select("#workspace-rendered table")) == 4
    assert english.select_one("#workspace-form")["data-unsaved"]


def test_saving_a_korean_heading_records_who_and_what(client, launch_content, editor):
    draft = services.draft_start_next()
    client.force_login(editor)
    data = form_of(client.get(url(draft, section="south-korea-addendum", language="ko")))
    data["heading"] = "대한민국 부록"
    response = client.post(url(draft), data)
    assert response.status_code == 302
    assert draft.sections.get(anchor="south-korea-addendum").heading_ko == "대한민국 부록"
    event = draft.events.latest_first().first()
    assert event.kind == VersionEvent.Kind.EDITED and event.user == editor
    assert event.changes[0]["language"] == "ko" and event.changes[0]["change"] == "heading"
    log = LogEntry.objects.filter(object_id=str(draft.pk)).latest("action_time")
    assert "Changed the heading of SOUTH KOREA ADDENDUM [ko]" in log.change_message


def test_a_stale_page_is_refused_and_keeps_the_text(client, launch_content, editor):
    draft = services.draft_start_next()
    client.force_login(editor)
    data = form_of(client.get(url(draft, section="australia-addendum", language="en")))
    other = User.objects.create_user("colleague", password="pw", is_staff=True)
    services.draft_section_save(
        version=draft,
        anchor="updates",
        language="en",
        heading="Updates",
        body="[[updates]]",
        token=data["edit_token"],
        user=other,
    )
    data["body"] = data["body"].replace("1300 363 992", "1300 363 995")
    response = client.post(url(draft), data)
    assert response.status_code == 409
    html = page(response)
    error = html.select_one(".workspace-error").get_text()
    assert "changed since you opened it" in error and "colleague" in error
    assert "1300 363 995" in html.find("textarea", id="id_body").get_text()
    assert "1300 363 992" in draft.sections.get(anchor="australia-addendum").body_en


def test_preview_without_saving_and_the_live_preview_endpoint(client, launch_content, editor):
    draft = services.draft_start_next()
    client.force_login(editor)
    data = form_of(client.get(url(draft, section="australia-addendum", language="en")))
    data["body"] = "| a | b |\n| --- | --- |\n| 1 | 2 |"
    data["_preview"] = "Preview"
    html = page(client.post(url(draft), data))
    assert html.select_one("#workspace-rendered table td").get_text() == "1"
    assert "Office of the Australian" in draft.sections.get(anchor="australia-addendum").body_en  # not saved
    preview = client.post(
        f"/admin/notices/policyversion/{draft.pk}/workspace/preview/",
        {"body": "Hello <script>x</script> **world**", "language": "en"},
    )
    assert preview.status_code == 200
    assert "<strong>world</strong>" in preview.content.decode() and "<script>" not in preview.content.decode()
    assert client.get(f"/admin/notices/policyversion/{draft.pk}/workspace/preview/").status_code == 405


def test_a_material_draft_moves_to_the_earliest_valid_date(client, launch_content, editor):
    draft = services.draft_start_next()
    client.force_login(editor)
    data = form_of(client.get(url(draft, section="details", language="en")))
    assert data["effective_date"] == TODAY.isoformat()
    data.update({"material": "on", "summary": "New contact details."})
    response = client.post(url(draft), data, follow=True)
    draft.refresh_from_db()
    assert draft.material and draft.effective_date == TODAY + datetime.timedelta(days=30)
    assert "moved to 2026-12-29" in page(response).select_one(".messagelist").get_text()
    assert services.publish_problems(draft) == []
    assert page(response).select_one(".draft-warnings") is None


def test_bad_input_is_a_clear_4xx(client, launch_content, editor):
    draft = services.draft_start_next()
    client.force_login(editor)
    assert client.get(url(draft, section="no-such-section")).status_code == 404
    data = form_of(client.get(url(draft, section="details", language="en")))
    data["effective_date"] = "next tuesday"
    response = client.post(url(draft), data)
    assert response.status_code == 400 and "YYYY-MM-DD" in page(response).select_one(".workspace-error").get_text()
    data = form_of(client.get(url(draft, section="australia-addendum", language="en")))
    data["body"] = "   "
    assert client.post(url(draft), data).status_code == 400
