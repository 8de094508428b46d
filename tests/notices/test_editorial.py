"""Editors in the admin: drafts, preview, compare, publish; published text never changes."""

import datetime
from xml.etree import ElementTree

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, connection, transaction

from notices import selectors, services
from notices.models import PolicyVersion, Section
from tests import reinsert

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)  # the legal date the tests run on (Asia/Singapore)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 3, 0, tzinfo=datetime.timezone.utc), tick=False):
        yield


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Legal editors"))
    return user


@pytest.fixture
def publisher(db):
    user = User.objects.create_user("publisher", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Legal publishers"))
    return user


def login(client, user):
    client.force_login(user)
    return client


def in_force():
    return PolicyVersion.objects.published().get(effective_date="2025-09-02")


def page(response):
    return BeautifulSoup(response.content, "html.parser")


def edit_addendum(draft, anchor, old, new):
    section = draft.sections.get(anchor=anchor)
    assert old in section.body_en
    section.body_en = section.body_en.replace(old, new)
    section.save()


# --- start next version -------------------------------------------------------------------


def test_start_next_version_copies_every_section_and_translation(client, launch_content, editor):
    source = in_force()
    response = login(client, editor).post("/admin/notices/policyversion/start-next/")
    draft = PolicyVersion.objects.drafts().get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/notices/policyversion/{draft.pk}/change/"
    assert draft.copied_from == source
    assert draft.effective_date == TODAY
    columns = ["order", "anchor", "heading_en", "body_en", "body_html_en", "jurisdiction_id", "body_ko"]
    assert list(draft.sections.values_list(*columns)) == list(source.sections.values_list(*columns))
    assert LogEntry.objects.filter(object_id=str(draft.pk), user=editor).exists()


def test_start_next_version_is_a_post(client, launch_content, editor):
    assert login(client, editor).get("/admin/notices/policyversion/start-next/").status_code == 405


def test_the_start_action_copies_the_selected_version(client, launch_content, editor):
    source = in_force()
    login(client, editor).post(
        "/admin/notices/policyversion/",
        {"action": "start_from_selected", "_selected_action": [source.pk]},
    )
    assert PolicyVersion.objects.drafts().get().copied_from == source


# --- editing ------------------------------------------------------------------------------


def change_form_data(client, version):
    """The admin change form's own fields, as a browser would post them back."""
    form = page(client.get(f"/admin/notices/policyversion/{version.pk}/change/")).find("form", id="policyversion_form")
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button") or field.get("disabled") is not None:
            continue
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            selected = field.find("option", selected=True)
            data[name] = selected["value"] if selected else ""
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = "on"
        else:
            data[name] = field.get("value", "")
    return data


def test_an_editor_changes_a_sentence_in_a_draft_addendum(client, launch_content, editor):
    draft = services.draft_start_next()
    login(client, editor)
    data = change_form_data(client, draft)
    key = next(k for k, v in data.items() if k.endswith("-body_en") and "Office of the Australian" in v)
    data[key] = data[key].replace("Telephone: 1300 363 992", "Telephone: 1300 363 993")
    response = client.post(f"/admin/notices/policyversion/{draft.pk}/change/", data)
    assert response.status_code == 302, page(response).select(".errorlist")
    section = draft.sections.get(anchor="australia-addendum")
    assert "1300 363 993" in section.body_en and "1300 363 993" in section.body_html_en


def test_published_versions_are_read_only_in_the_admin(client, launch_content, publisher):
    version = in_force()
    login(client, publisher)
    form = page(client.get(f"/admin/notices/policyversion/{version.pk}/change/"))
    assert not form.find("textarea")  # nothing editable
    assert "Published text never changes" in form.get_text()
    before = list(Section.objects.filter(version=version).values_list("body_en", flat=True))
    response = client.post(f"/admin/notices/policyversion/{version.pk}/change/", {"effective_date": "2030-01-01"})
    assert response.status_code == 403
    response = client.post(f"/admin/notices/policyversion/{version.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert list(Section.objects.filter(version=version).values_list("body_en", flat=True)) == before


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_legal_editors_and_publishers_correct_the_organisations_dpo_contact(client, launch_content, role, request):
    # The organisation (controller, address, DPO) is the editors' to keep, as the policy is;
    # one row, which nobody adds to or deletes.
    from core.models import Organisation

    login(client, request.getfixturevalue(role))
    response = client.get("/admin/core/organisation/1/change/")
    assert response.status_code == 200
    form = page(response).find("form", id="organisation_form")
    data = {f["name"]: f.get("value", "") for f in form.find_all("input") if f.get("name")}
    data.update({t["name"]: t.get_text() for t in form.find_all("textarea")})
    data["dpo_email"] = "dpo-office@example.com"
    assert client.post("/admin/core/organisation/1/change/", data).status_code == 302
    assert Organisation.objects.get().dpo_email == "dpo-office@example.com"
    assert client.get("/admin/core/organisation/add/").status_code == 403
    assert client.post("/admin/core/organisation/1/delete/", {"post": "yes"}).status_code == 403


def test_a_publisher_edits_a_jurisdictions_places_but_never_its_code(client, launch_content, publisher):
    # The code is the jurisdiction's identity outside this table: the addenda's addresses
    # (?jurisdiction=kr), the laws of privacy requests and their deadlines, consent records.
    # Renaming "kr" would silently give requests made from Korea another law's deadline.
    from notices.models import Jurisdiction

    korea = Jurisdiction.objects.get(code="kr")
    login(client, publisher)
    url = f"/admin/notices/jurisdiction/{korea.pk}/change/"
    form = page(client.get(url)).find("form", id="jurisdiction_form")
    assert form.find("input", attrs={"name": "code"}) is None
    data = {f["name"]: f.get("value", "") for f in form.find_all("input") if f.get("name")}
    data.update({t["name"]: t.get_text() for t in form.find_all("textarea")})
    data.update({"code": "south-korea", "subdivisions": "KR-11"})
    assert client.post(url, data).status_code == 302
    korea.refresh_from_db()
    assert (korea.code, korea.subdivisions) == ("kr", "KR-11")


def test_the_service_refuses_to_change_published_text(launch_content):
    with pytest.raises(services.PublishedVersionImmutable):
        services.draft_ensure_editable(in_force())


@pytest.mark.parametrize(
    "change",
    [
        lambda v: Section.objects.filter(version=v).update(body_en="Rewritten."),
        lambda v: Section.objects.filter(version=v).update(body_ko="번역."),
        lambda v: Section.objects.filter(version=v, anchor="cookies").delete(),
        lambda v: Section.objects.create(version=v, anchor="new", body_en="Sneaked in."),
        lambda v: PolicyVersion.objects.filter(pk=v.pk).update(summary_en="Edited."),
        lambda v: PolicyVersion.objects.filter(pk=v.pk).update(effective_date="2025-01-01"),
        lambda v: PolicyVersion.objects.filter(pk=v.pk).update(status="draft"),
        lambda v: PolicyVersion.objects.filter(pk=v.pk).delete(),
    ],
)
def test_the_database_refuses_changes_to_published_text_through_the_orm(launch_content, change):
    version = in_force()
    before = (list(version.sections.values_list("anchor", "body_en", "body_ko")), version.summary_en)
    with pytest.raises(IntegrityError), transaction.atomic():
        change(version)
    version.refresh_from_db()
    assert (list(version.sections.values_list("anchor", "body_en", "body_ko")), version.summary_en) == before


def test_moving_a_draft_section_into_a_published_version_is_refused(launch_content):
    draft = services.draft_start_next()
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.sections.filter(anchor="cookies").update(version=in_force())


def test_drafts_stay_editable(launch_content):
    draft = services.draft_start_next()
    draft.sections.filter(anchor="cookies").update(body_en="Changed.")
    draft.delete()
    assert not PolicyVersion.objects.drafts().exists()


# --- deleting drafts -----------------------------------------------------------------------


def delete_in_admin(client, version):
    """What the admin's delete page does when its "Yes, I'm sure" button is pressed."""
    return client.post(f"/admin/notices/policyversion/{version.pk}/delete/", {"post": "yes"})


def test_a_draft_a_published_version_was_copied_from_cannot_be_deleted(admin_client, launch_content):
    # A draft started from another draft, then published: its lineage runs through the first.
    first = services.draft_start_next()
    second = services.draft_start_next(source=first)
    services.version_publish(version=second)
    response = delete_in_admin(admin_client, first)
    assert response.status_code == 200
    text = " ".join(page(response).get_text().split())
    assert "would require deleting the following protected related objects" in text
    assert str(second) in text
    assert PolicyVersion.objects.get(pk=second.pk).copied_from_id == first.pk
    assert PolicyVersion.objects.filter(pk=first.pk).exists()


def test_a_draft_another_draft_started_from_goes_only_with_it(admin_client, launch_content):
    first = services.draft_start_next()
    second = services.draft_start_next(source=first)
    assert delete_in_admin(admin_client, first).status_code == 200  # refused: second started from it
    assert PolicyVersion.objects.drafts().count() == 2
    response = admin_client.post(
        "/admin/notices/policyversion/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not PolicyVersion.objects.drafts().exists()


def test_an_ordinary_draft_is_deleted_in_the_admin(admin_client, launch_content):
    draft = services.draft_start_next()
    response = delete_in_admin(admin_client, draft)
    assert response.status_code == 302
    assert not PolicyVersion.objects.filter(pk=draft.pk).exists()
    assert in_force().sections.exists()


def test_a_version_without_text_is_no_start_for_a_draft(client, launch_content, editor):
    listed = PolicyVersion.objects.published().filter(sections__isnull=True).first()
    assert listed is not None  # an earlier version the launch content lists without its text
    response = login(client, editor).post(
        "/admin/notices/policyversion/",
        {"action": "start_from_selected", "_selected_action": [listed.pk]},
        follow=True,
    )
    assert "has no text to start from" in page(response).select_one(".messagelist").get_text()
    assert not PolicyVersion.objects.drafts().exists()


# --- preview --------------------------------------------------------------------------------


def test_staff_preview_a_draft_as_any_region_and_language(client, launch_content, editor):
    draft = services.draft_start_next()
    edit_addendum(draft, "south-korea-addendum", "under the age of 14", "under the age of fourteen")
    login(client, editor)
    response = client.get(f"/admin/notices/policyversion/{draft.pk}/preview/", {"jurisdiction": "kr", "language": "ko"})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    html = page(response)
    assert html.html["lang"] == "ko"
    assert [s["id"] for s in html.select("article section.addendum")] == ["south-korea-addendum"]
    assert "under the age of fourteen" in html.get_text()
    assert html.select_one(".preview-banner")
    # the public page is untouched
    assert "under the age of fourteen" not in client.get("/en/privacy/?jurisdiction=kr").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "not staff"])
def test_only_staff_reach_previews(client, launch_content, who):
    draft = services.draft_start_next()
    if who == "not staff":
        client.force_login(User.objects.create_user("visitor", password="pw"))
    response = client.get(f"/admin/notices/policyversion/{draft.pk}/preview/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")
    assert client.get(f"/en/privacy/versions/{draft.effective_date}/").status_code == 404


def test_preview_of_an_unknown_version_is_404(client, launch_content, editor):
    assert login(client, editor).get("/admin/notices/policyversion/999999/preview/").status_code == 404


# --- compare --------------------------------------------------------------------------------


def test_the_admin_shows_the_redline_of_a_draft(client, launch_content, editor):
    draft = services.draft_start_next()
    edit_addendum(draft, "australia-addendum", "Telephone: 1300 363 992", "Telephone: 1300 363 993")
    html = page(login(client, editor).get(f"/admin/notices/policyversion/{draft.pk}/compare/"))
    summary = [li.get_text(" ", strip=True) for li in html.select(".redline-summary li")]
    assert summary == ["AUSTRALIA ADDENDUM (Australia) — Changed"]
    section = html.find(id="diff-australia-addendum")
    assert section.find("del").get_text() == "[removed: 992]"
    assert section.find("ins").get_text() == "[added: 993]"


# --- publish --------------------------------------------------------------------------------


def test_editors_cannot_publish(client, launch_content, editor):
    draft = services.draft_start_next()
    login(client, editor)
    # They see what publishing would do and may request it, but there is no Publish button.
    confirm = page(client.get(f"/admin/notices/policyversion/{draft.pk}/publish/"))
    assert confirm.select_one("input[value='Request publication']") is not None
    assert confirm.select_one("input[value='Publish']") is None
    assert client.post(f"/admin/notices/policyversion/{draft.pk}/publish/").status_code == 403
    assert PolicyVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_publisher_publishes_and_the_admin_records_who(
    client, launch_content, publisher, django_capture_on_commit_callbacks
):
    draft = services.draft_start_next()
    draft.effective_date = TODAY + datetime.timedelta(days=3)
    draft.save()
    services.publication_request(version=draft, user=None)
    login(client, publisher)
    assert (
        "Publishing makes this version public"
        in page(client.get(f"/admin/notices/policyversion/{draft.pk}/publish/")).get_text()
    )
    with django_capture_on_commit_callbacks(execute=True):
        # Had a translation been missing or outdated, this is how the publisher accepts English.
        response = client.post(
            f"/admin/notices/policyversion/{draft.pk}/publish/", {"translations": "fall-back-to-english"}
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == publisher and draft.published_at
    assert LogEntry.objects.filter(object_id=str(draft.pk), change_message__startswith="Published").exists()
    assert list(draft.events.values_list("kind", "user")) == [
        ("started", None),
        ("requested", None),
        ("published", publisher.pk),
    ]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: setattr(d, "effective_date", TODAY - datetime.timedelta(days=1)), "in the past"),
        (lambda d: (setattr(d, "material", True), setattr(d, "summary_en", "")), "summary in English"),
        (
            lambda d: (setattr(d, "material", True), setattr(d, "summary_en", "New purposes.")),
            "at least 30 days before",
        ),
    ],
)
def test_an_invalid_draft_is_refused_with_a_clear_message(
    client, launch_content, publisher, setup, message, django_capture_on_commit_callbacks
):
    draft = services.draft_start_next()
    setup(draft)
    draft.save()
    login(client, publisher)
    confirm = page(client.get(f"/admin/notices/policyversion/{draft.pk}/publish/"))
    assert message in confirm.select_one(".errornote").get_text()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/notices/policyversion/{draft.pk}/publish/", follow=True)
    assert message in page(response).select_one(".messagelist").get_text()
    assert PolicyVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_material_change_with_summary_and_notice_publishes(launch_content, publisher):
    draft = services.draft_start_next()
    draft.material, draft.summary_en = True, "We now keep logs for 90 days."
    draft.effective_date = TODAY + datetime.timedelta(days=30)
    draft.save()
    services.publication_request(version=draft, user=None)
    assert services.version_publish(version=draft, user=publisher).status == "published"


def test_publishing_announces_the_version_and_a_failing_listener_rolls_it_back(launch_content):
    from notices.signals import version_published

    heard = []

    def listener(sender, *, version, historical, **kwargs):
        stored = PolicyVersion.objects.get(pk=version.pk)
        heard.append((version.pk, stored.status, historical))
        if len(heard) == 2:
            raise RuntimeError("a listener failed")

    version_published.connect(listener)
    try:
        first = services.draft_start_next()
        services.version_publish(version=first, historical=True)
        second = services.draft_start_next()
        second.effective_date = TODAY + datetime.timedelta(days=1)
        second.save()
        with pytest.raises(RuntimeError, match="a listener failed"):
            services.version_publish(version=second)
    finally:
        version_published.disconnect(listener)
    # Listeners see the row already saved as published, in the publishing transaction...
    assert heard == [(first.pk, "published", True), (second.pk, "published", False)]
    # ...so one that fails takes the publish down with it.
    assert PolicyVersion.objects.get(pk=second.pk).status == "draft"
    assert PolicyVersion.objects.get(pk=first.pk).status == "published"


def test_a_version_without_sections_is_refused(launch_content):
    draft = PolicyVersion.objects.create(effective_date=TODAY)
    with pytest.raises(services.PublishRefused, match="at least one section"):
        services.version_publish(version=draft)


def test_two_drafts_for_the_same_date_exactly_one_wins(launch_content):
    first, second = services.draft_start_next(), services.draft_start_next()
    services.version_publish(version=first)
    with pytest.raises(services.PublishRefused, match="already published for 2026-11-29"):
        services.version_publish(version=second)
    assert PolicyVersion.objects.published().filter(effective_date=TODAY).get() == first
    assert PolicyVersion.objects.get(pk=second.pk).status == "draft"


# --- the public record --------------------------------------------------------------------


@pytest.fixture
def scheduled(launch_content, django_capture_on_commit_callbacks):
    draft = services.draft_start_next()
    draft.effective_date = datetime.date(2026, 12, 10)
    draft.summary_en = "Updated contact telephone number."
    draft.save()
    edit_addendum(draft, "australia-addendum", "Telephone: 1300 363 992", "Telephone: 1300 363 993")
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    return draft


def test_every_page_announces_a_scheduled_version(client, scheduled):
    for path in ["/en/privacy/", "/en/privacy/versions/", "/en/privacy/versions/2023-07-27/", "/en/nope/"]:
        notice = page(client.get(path)).select_one(".upcoming")
        assert "An updated Privacy Policy takes effect on Dec. 10, 2026." in notice.get_text(" ", strip=True)
        links = [a["href"] for a in notice.find_all("a")]
        assert links == ["/en/privacy/versions/2026-12-10/", "/en/privacy/versions/2025-09-02/diff/2026-12-10/"]
    assert "2026년 12월 10일" in page(client.get("/ko/privacy/")).select_one(".upcoming").get_text()


def test_a_scheduled_version_takes_effect_by_itself_at_legal_midnight(client, scheduled):
    # 2026-12-10 00:00 in Singapore is 2026-12-09 16:00 UTC
    with time_machine.travel(datetime.datetime(2026, 12, 9, 15, 59, tzinfo=datetime.timezone.utc), tick=False):
        html = page(client.get("/en/privacy/"))
        assert html.find("time")["datetime"] == "2025-09-02" and html.select_one(".upcoming")
    with time_machine.travel(datetime.datetime(2026, 12, 9, 16, 0, tzinfo=datetime.timezone.utc), tick=False):
        html = page(client.get("/en/privacy/"))
        assert html.find("time")["datetime"] == "2026-12-10" and not html.select_one(".upcoming")


def test_the_public_redline_marks_words_and_collapses_unchanged_sections(client, scheduled):
    html = page(client.get("/en/privacy/versions/2025-09-02/diff/2026-12-10/"))
    assert [li.get_text(" ", strip=True) for li in html.select(".redline-summary li")] == [
        "AUSTRALIA ADDENDUM (Australia) — Changed"
    ]
    changed = html.find("section", id="diff-australia-addendum")
    assert changed.find("del").get_text() == "[removed: 992]" and changed.find("ins").get_text() == "[added: 993]"
    assert "Changed" in changed.find("h2").get_text()
    unchanged = html.find("details", id="diff-collection")
    assert unchanged and not unchanged.has_attr("open") and "Unchanged" in unchanged.summary.get_text()
    history = page(client.get("/en/privacy/versions/"))
    assert history.find("a", href="/en/privacy/versions/2025-09-02/diff/2026-12-10/")


def test_redline_of_added_and_removed_sections(client, launch_content, django_capture_on_commit_callbacks):
    draft = services.draft_start_next()
    draft.sections.filter(anchor="cookies").delete()
    Section.objects.create(version=draft, order=99, anchor="ai", heading_en="K. AI", body_en="New words.")
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    html = page(client.get("/en/privacy/versions/2025-09-02/diff/2026-11-29/"))
    labels = {li.a["href"]: li.find(class_="diff-label").get_text() for li in html.select(".redline-summary li")}
    assert labels == {"#diff-ai": "Added", "#diff-cookies": "Removed"}
    assert html.find(id="diff-ai").find("ins").get_text().endswith("New words.]")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/en/privacy/versions/2025-09-02/diff/2025-09-02/", 400),
        ("/en/privacy/versions/2026-12-10/diff/2025-09-02/", 400),  # reversed
        ("/en/privacy/versions/2025-09-02/diff/2027-01-01/", 404),
        ("/en/privacy/versions/2023-07-27/diff/2025-09-02/", 404),  # text not held
        ("/en/privacy/versions/2025-09-02/diff/2026-13-01/", 404),
        ("/en/privacy/versions/2025-09-02/diff/x/", 404),
        ("/en/privacy/versions/2025-09-02/diff/", 404),
    ],
)
def test_bad_redline_addresses_are_clear_4xx(client, scheduled, path, status):
    response = client.get(path)
    assert response.status_code == status


def test_reversed_redline_links_to_the_right_order(client, scheduled):
    html = page(client.get("/en/privacy/versions/2026-12-10/diff/2025-09-02/"))
    assert html.find("a", href="/en/privacy/versions/2025-09-02/diff/2026-12-10/")


def test_atom_feed_lists_versions_with_summary_and_links(client, scheduled):
    response = client.get("/en/privacy/feed/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(response.content).findall(f"{atom}entry")
    assert len(entries) == 7
    first = entries[0]
    assert first.findtext(f"{atom}title") == "Privacy Policy effective 2026-12-10"
    assert first.find(f"{atom}link").get("href").endswith("/en/privacy/versions/2026-12-10/")
    content = first.findtext(f"{atom}summary")
    assert "Updated contact telephone number." in content
    assert "/en/privacy/versions/2025-09-02/diff/2026-12-10/" in content
    assert "Text not held" in entries[-1].findtext(f"{atom}summary")


def test_editor_markdown_is_sanitised(client, launch_content, django_capture_on_commit_callbacks):
    draft = services.draft_start_next()
    section = draft.sections.get(anchor="cookies")
    section.body_en += "\n\n<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))\n"
    section.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    html = client.get("/en/privacy/").content.decode()
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html


def test_selectors_show_the_in_force_version_on_both_sides_of_midnight(scheduled):
    assert selectors.in_force_date(on=datetime.date(2026, 12, 9)) == datetime.date(2025, 9, 2)
    assert selectors.in_force_date(on=datetime.date(2026, 12, 10)) == datetime.date(2026, 12, 10)


def test_a_changed_heading_is_shown_in_the_redline(client, launch_content, django_capture_on_commit_callbacks):
    draft = services.draft_start_next()
    draft.sections.filter(anchor="cookies").update(heading_en="I. COOKIES AND SIMILAR TECHNOLOGIES")
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    section = page(client.get("/en/privacy/versions/2025-09-02/diff/2026-11-29/")).find(id="diff-cookies")
    assert section.find("ins").get_text() == "[added:  AND SIMILAR TECHNOLOGIES]"
    assert section.select_one(".redline").get_text().startswith("Heading: I. COOKIES")


# --- published text against REPLACE and UPSERT --------------------------------------------


def published_state(version):
    version = PolicyVersion.objects.get(pk=version.pk)
    sections = list(Section.objects.filter(version_id=version.pk).values_list("pk", "anchor", "body_en", "body_ko"))
    return version.status, version.published_at, version.summary_en, sections


@pytest.mark.parametrize("how", reinsert.ways())
@pytest.mark.parametrize("overrides", [{}, {"status": "draft"}, {"summary_en": "Edited."}])
def test_a_published_version_cannot_be_written_back_over_itself(launch_content, how, overrides):
    version = in_force()
    before = published_state(version)
    with pytest.raises(IntegrityError), transaction.atomic():
        reinsert.reinsert(PolicyVersion, version.pk, how=how, **overrides)
    assert published_state(version) == before


@pytest.mark.parametrize("how", reinsert.ways())
def test_a_new_row_cannot_take_a_published_versions_date(launch_content, how):
    # REPLACE also resolves the other unique key: one published version per effective date.
    version = in_force()
    before = published_state(version)
    with pytest.raises(IntegrityError), transaction.atomic():
        reinsert.reinsert(PolicyVersion, version.pk, how=how, id=version.pk + 1000)
    assert published_state(version) == before


@pytest.mark.parametrize("how", reinsert.ways())
def test_a_published_section_cannot_be_written_back_over_itself(launch_content, how):
    version = in_force()
    draft = services.draft_start_next()
    section = version.sections.get(anchor="cookies")
    before = published_state(version)
    for overrides in ({"body_en": "Rewritten."}, {"version_id": draft.pk, "anchor": "moved-out"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            reinsert.reinsert(Section, section.pk, how=how, **overrides)
    assert published_state(version) == before


def draft_and_back(version, how):
    """The round trip of the issue: the row as a draft, a section edited, the row published again."""
    reinsert.reinsert(PolicyVersion, version.pk, how=how, status="draft")
    Section.objects.filter(version_id=version.pk, anchor="cookies").update(body_en="Rewritten.")
    reinsert.reinsert(PolicyVersion, version.pk, how=how, status="published")


@pytest.mark.parametrize("how", reinsert.ways())
def test_the_draft_and_back_round_trip_is_refused(launch_content, how):
    version = in_force()
    before = published_state(version)
    with pytest.raises(IntegrityError), transaction.atomic():
        draft_and_back(version, how)
    assert published_state(version) == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="REPLACE and its pragma are SQLite's")
@pytest.mark.parametrize("how", reinsert.SQLITE_ONLY)
def test_the_round_trip_is_refused_on_a_connection_without_recursive_triggers(launch_content, how):
    # The sqlite3 shell or a script does not run the settings' init_command: the BEFORE
    # INSERT guards hold without the delete triggers.
    version = in_force()
    before = published_state(version)
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA recursive_triggers").fetchone() == (1,)
        cursor.execute("PRAGMA recursive_triggers = OFF")
    try:
        with pytest.raises(IntegrityError), transaction.atomic():
            draft_and_back(version, how)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers = ON")
    assert published_state(version) == before


@pytest.mark.parametrize("how", reinsert.ways())
def test_drafts_can_still_be_written_back_over_themselves(launch_content, how):
    draft = services.draft_start_next()
    reinsert.reinsert(PolicyVersion, draft.pk, how=how, summary_en="Rewritten draft.")
    reinsert.reinsert(Section, draft.sections.get(anchor="cookies").pk, how=how, body_en="Rewritten.")
    assert PolicyVersion.objects.get(pk=draft.pk).summary_en == "Rewritten draft."
    assert draft.sections.get(anchor="cookies").body_en == "Rewritten."


def test_the_compare_page_speaks_the_editors_language_whatever_language_it_compares(client, launch_content, editor):
    draft = services.draft_start_next()
    edit_addendum(draft, "australia-addendum", "Telephone: 1300 363 992", "Telephone: 1300 363 993")
    response = login(client, editor).get(f"/admin/notices/policyversion/{draft.pk}/compare/", HTTP_ACCEPT_LANGUAGE="ko")
    html = page(response)
    assert html.find("h1").get_text(strip=True) == "2025-09-02 대비 이 초안의 변경 사항"


@pytest.mark.parametrize("object_id", ["%C2%B2", "abc"])
def test_a_version_address_that_is_not_a_number_is_not_found(admin_client, launch_content, object_id):
    # "²" passes str.isdigit(), and the version's own lookup refused it with a 500.
    response = admin_client.get(f"/admin/notices/policyversion/{object_id}/change/")
    assert response.status_code == 302 and response.url == "/admin/"  # "… doesn't exist"
