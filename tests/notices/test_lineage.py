"""Versions as a lineage (issue 11): base, rebase, no lost edits, four eyes, withdrawal."""

import datetime

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.cache import cache as django_cache
from django.test import override_settings

from core import cache
from notices import lineage, services
from notices.models import VersionEvent
from tests.notices.test_editorial import TODAY, change_form_data, edit_addendum, in_force, login, page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 3, 0, tzinfo=datetime.UTC), tick=False):
        yield


def staff(name, group):
    user = User.objects.create_user(name, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return staff("editor", "Legal editors")


@pytest.fixture
def publisher(db):
    return staff("publisher", "Legal publishers")


def publish_scheduled(*, days=40, old="Telephone: 1300 363 992", new="Telephone: 1300 363 993"):
    """A version for a future date (material, with its notice, when 30 days or more ahead)."""
    draft = services.draft_start_next()
    draft.material, draft.summary_en = days >= 30, "New telephone number."
    draft.effective_date = TODAY + datetime.timedelta(days=days)
    draft.save()
    edit_addendum(draft, "australia-addendum", old, new)
    services.version_publish(version=draft)
    return draft


# --- lineage ---------------------------------------------------------------------------------


def test_the_next_draft_starts_from_the_scheduled_version_and_compares_with_it(client, launch_content, editor):
    scheduled = publish_scheduled()
    draft = services.draft_start_next(user=editor)
    assert draft.copied_from == scheduled
    assert draft.effective_date == scheduled.effective_date + datetime.timedelta(days=1)
    assert "1300 363 993" in draft.sections.get(anchor="australia-addendum").body_en  # the scheduled edit
    edit_addendum(draft, "south-korea-addendum", "under the age of 14", "under the age of fourteen")
    html = page(login(client, editor).get(f"/admin/notices/policyversion/{draft.pk}/compare/"))
    summary = [li.get_text(" ", strip=True) for li in html.select(".redline-summary li")]
    assert summary == ["SOUTH KOREA ADDENDUM (South Korea) — Changed"]


def test_a_draft_overtaken_by_a_publish_is_refused_until_rebased(client, launch_content, editor):
    late = services.draft_start_next(user=editor)
    edit_addendum(late, "south-korea-addendum", "under the age of 14", "under the age of fourteen")
    scheduled = publish_scheduled(days=10)
    late.effective_date = TODAY + datetime.timedelta(days=20)
    late.save()
    with pytest.raises(services.PublishRefused, match="was published after this draft was started"):
        services.version_publish(version=late)
    # the draft's page says so, and the rebase page shows what the other version changed
    login(client, editor)
    form = page(client.get(f"/admin/notices/policyversion/{late.pk}/change/"))
    assert "was published after this draft was started" in form.select_one(".draft-rebase").get_text()
    rebase = page(client.get(f"/admin/notices/policyversion/{late.pk}/rebase/"))
    assert rebase.find(id="diff-australia-addendum").find("ins").get_text() == "[added: 993]"
    response = client.post(f"/admin/notices/policyversion/{late.pk}/rebase/", follow=True)
    assert "were carried into this draft" in page(response).select_one(".messagelist").get_text()
    late.refresh_from_db()
    assert late.copied_from == scheduled
    assert "1300 363 993" in late.sections.get(anchor="australia-addendum").body_en  # carried in
    assert "age of fourteen" in late.sections.get(anchor="south-korea-addendum").body_en  # kept
    assert services.version_publish(version=late).is_published
    assert late.events.filter(kind=VersionEvent.Kind.REBASED).exists()


def test_a_rebase_keeps_the_drafts_text_where_both_changed_it_and_says_so(launch_content):
    late = services.draft_start_next()
    edit_addendum(late, "australia-addendum", "Telephone: 1300 363 992", "Telephone: 1300 363 999")
    publish_scheduled(days=10)
    result = lineage.draft_rebase(version=late)
    assert result.conflicts == ["AUSTRALIA ADDENDUM"]
    assert "1300 363 999" in late.sections.get(anchor="australia-addendum").body_en
    assert lineage.stale_base(late) is None


def test_a_draft_must_take_effect_after_the_version_it_replaces(launch_content):
    scheduled = publish_scheduled(days=40)
    draft = services.draft_start_next()
    draft.effective_date = scheduled.effective_date
    draft.save()
    problems = services.publish_problems(draft)
    assert any("effective date must be later" in p for p in problems)


def test_a_material_draft_moves_to_its_earliest_valid_date(launch_content):
    draft = services.draft_start_next()
    assert draft.effective_date == TODAY
    services.draft_set_material(version=draft, material=True)
    assert draft.effective_date == TODAY + datetime.timedelta(days=30)
    draft.summary_en = "A summary."
    draft.save()
    assert services.publish_problems(draft) == []


# --- no lost edits ---------------------------------------------------------------------------


def test_the_second_of_two_editors_is_refused_and_keeps_their_text(client, launch_content, editor, publisher):
    draft = services.draft_start_next(user=editor)
    from django.test import Client

    first, second = login(Client(), editor), login(Client(), publisher)
    first_data, second_data = change_form_data(first, draft), change_form_data(second, draft)
    key = next(k for k, v in first_data.items() if k.endswith("-body_en") and "Office of the Australian" in v)
    first_data[key] = first_data[key].replace("1300 363 992", "1300 363 993")
    assert first.post(f"/admin/notices/policyversion/{draft.pk}/change/", first_data).status_code == 302
    second_data[key] = second_data[key].replace("1300 363 992", "1300 363 994")
    response = second.post(f"/admin/notices/policyversion/{draft.pk}/change/", second_data)
    assert response.status_code == 200
    text = page(response).select_one(".errornote, .errorlist").find_parent().get_text()
    assert "changed since you opened it" in text and "editor saved it at" in text
    assert any("1300 363 994" in t.get_text() for t in page(response).find_all("textarea"))
    assert "1300 363 993" in draft.sections.get(anchor="australia-addendum").body_en


def test_the_admin_history_names_the_sections_that_changed_with_a_diff(client, launch_content, editor):
    draft = services.draft_start_next(user=editor)
    login(client, editor)
    data = change_form_data(client, draft)
    key = next(k for k, v in data.items() if k.endswith("-body_en") and "Office of the Australian" in v)
    data[key] = data[key].replace("1300 363 992", "1300 363 993")
    assert client.post(f"/admin/notices/policyversion/{draft.pk}/change/", data).status_code == 302
    message = LogEntry.objects.filter(object_id=str(draft.pk)).latest("action_time").change_message
    assert "Changed the text of AUSTRALIA ADDENDUM [en]" in message
    assert "-Telephone: 1300 363 992" in message and "+Telephone: 1300 363 993" in message
    assert message.count("Changed the") == 1
    event = draft.events.get(kind=VersionEvent.Kind.EDITED)
    assert event.user == editor and [c["anchor"] for c in event.changes] == ["australia-addendum"]


def test_every_rule_that_stops_publishing_is_shown_on_the_draft(client, launch_content, editor):
    draft = services.draft_start_next()
    draft.material = True
    draft.save()
    warnings = page(login(client, editor).get(f"/admin/notices/policyversion/{draft.pk}/change/"))
    text = warnings.select_one(".draft-warnings").get_text()
    assert "change summary in English" in text and "at least 30 days" in text


# --- four eyes ---------------------------------------------------------------------------------


def test_four_eyes_a_publisher_cannot_publish_their_own_edit(client, launch_content, editor, publisher):
    draft = services.draft_start_next(user=publisher)
    with pytest.raises(services.PublishRefused, match="not been requested"):
        services.version_publish(version=draft, user=publisher)
    services.publication_request(version=draft, user=publisher)
    with pytest.raises(services.PublishRefused, match="last to edit"):
        services.version_publish(version=draft, user=publisher)
    login(client, publisher)
    confirm = page(client.get(f"/admin/notices/policyversion/{draft.pk}/publish/"))
    assert "another publisher must approve" in confirm.get_text()
    assert confirm.select_one("input[value='Publish']") is None
    with override_settings(NOTICES_ONE_PERSON_PUBLISHING=True):
        assert services.version_publish(version=draft, user=publisher).is_published


def test_an_edit_after_the_request_needs_a_new_request(launch_content, editor, publisher):
    draft = services.draft_start_next(user=editor)
    services.publication_request(version=draft, user=editor)
    lineage.record(draft, VersionEvent.Kind.EDITED, user=editor)
    with pytest.raises(services.PublishRefused, match="not been requested"):
        services.version_publish(version=draft, user=publisher)
    services.publication_request(version=draft, user=editor)
    assert services.version_publish(version=draft, user=publisher).published_by == publisher
    kinds = list(draft.events.values_list("kind", flat=True))
    assert kinds == ["started", "requested", "edited", "requested", "published"]


def _requested_draft_with_an_outdated_korean_section(editor):
    draft = services.draft_start_next(user=editor)
    section = draft.sections.get(anchor="cookies")
    services.draft_section_save(
        version=draft,
        anchor="cookies",
        language="en",
        heading=section.heading_en,
        body=section.body_en.rstrip("\n") + " We also use cookies to keep you signed in.",
        token=lineage.edit_token(draft),
        user=editor,
    )
    services.publication_request(version=draft, user=editor)
    return draft, draft.sections.get(anchor="cookies")


def test_a_publisher_who_rewrites_a_translation_after_the_request_cannot_publish_it_alone(
    client, launch_content, editor, publisher
):
    # The translator's view writes the text the public will read in Korean: an edit like any
    # other, so the request made before it no longer stands, and its author is the last editor.
    draft, section = _requested_draft_with_an_outdated_korean_section(editor)
    login(client, publisher)
    url = f"/admin/notices/policyversion/{draft.pk}/translations/ko/{section.pk}/"
    body = section.body_ko.rstrip("\n") + " 로그인 상태를 유지하기 위해서도 쿠키를 사용합니다.\n"
    data = {"heading": section.heading_ko, "body": body, "edit_token": lineage.edit_token(draft)}
    assert client.post(url, data).status_code == 302
    latest = draft.events.latest_first().first()
    assert (latest.kind, latest.user) == (VersionEvent.Kind.EDITED, publisher)
    assert any(c.get("language") == "ko" for c in latest.changes)
    publish = f"/admin/notices/policyversion/{draft.pk}/publish/"
    response = client.post(publish, {"translations": "fall-back-to-english"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_published
    services.publication_request(version=draft, user=publisher)
    with pytest.raises(services.PublishRefused, match="last to edit"):
        services.version_publish(version=draft, user=publisher)


def test_marking_a_translation_up_to_date_after_the_request_needs_a_new_request(
    client, launch_content, editor, publisher
):
    # "Up to date" decides that Korean readers see the Korean text instead of the English:
    # a change to what is published, recorded as an edit by whoever confirmed it.
    draft, section = _requested_draft_with_an_outdated_korean_section(editor)
    login(client, publisher)
    url = f"/admin/notices/policyversion/{draft.pk}/translations/ko/{section.pk}/current/"
    response = client.post(url, {"edit_token": lineage.edit_token(draft)})
    assert response.status_code == 302
    latest = draft.events.latest_first().first()
    assert (latest.kind, latest.user) == (VersionEvent.Kind.EDITED, publisher)
    assert "marked as up to date" in latest.note
    assert services.pending_request(draft) is None
    with pytest.raises(services.PublishRefused, match="not been requested"):
        services.version_publish(version=draft, user=publisher)


# --- withdrawal ----------------------------------------------------------------------------------


def test_withdrawing_an_upcoming_version(client, launch_content, publisher):
    scheduled = publish_scheduled()
    date = scheduled.effective_date.isoformat()
    assert "An updated Privacy Policy takes effect" in client.get("/en/privacy/").content.decode()
    login(client, publisher)
    form = page(client.get(f"/admin/notices/policyversion/{scheduled.pk}/change/"))
    assert form.find("a", string="Withdraw…") is not None
    response = client.post(f"/admin/notices/policyversion/{scheduled.pk}/withdraw/", {"reason": "Wrong number."})
    assert response.status_code == 302
    cache.bump()
    django_cache.clear()
    assert "An updated Privacy Policy takes effect" not in client.get("/en/privacy/").content.decode()
    history = page(client.get("/en/privacy/versions/"))
    row = history.find("a", href=f"/en/privacy/versions/{date}/").find_parent("tr")
    assert "Withdrawn" in row.get_text() and "Wrong number." in row.get_text()
    version_page = page(client.get(f"/en/privacy/versions/{date}/"))
    assert "withdrawn before it took effect" in version_page.select_one(".withdrawn-banner").get_text()
    assert "1300 363 993" in version_page.find("article").get_text()  # its text stays public
    scheduled.refresh_from_db()
    assert scheduled.is_published and scheduled.is_withdrawn
    listing = page(client.get("/admin/notices/policyversion/"))
    row = listing.select_one(f"a[href='/admin/notices/policyversion/{scheduled.pk}/change/']").find_parent("tr")
    assert "Withdrawn" in row.get_text()
    # the next draft builds on the version in force again
    assert services.draft_start_next().copied_from == in_force()


def test_a_version_in_force_cannot_be_withdrawn(launch_content, publisher):
    with pytest.raises(services.WithdrawRefused, match="can never be withdrawn"):
        services.version_withdraw(version=in_force(), reason="Oops", user=publisher)
    scheduled = publish_scheduled()
    with pytest.raises(services.WithdrawRefused, match="reason"):
        services.version_withdraw(version=scheduled, reason=" ", user=publisher)


def test_withdrawing_announces_it(launch_content):
    from notices.signals import version_withdrawn

    heard = []

    def listener(sender, *, version, withdrawal, **kwargs):
        heard.append((version.pk, withdrawal.reason))

    version_withdrawn.connect(listener)
    try:
        scheduled = publish_scheduled()
        services.version_withdraw(version=scheduled, reason="Published by mistake.")
    finally:
        version_withdrawn.disconnect(listener)
    assert heard == [(scheduled.pk, "Published by mistake.")]


def test_rules_other_apps_register_show_on_the_draft_and_stop_publishing(client, launch_content, editor):
    draft = services.draft_start_next()
    rule = lambda version: ["The Korean translation of section A is outdated."]  # noqa: E731
    note = lambda version: ["Japanese is 3 sections behind."]  # noqa: E731
    services.PUBLISH_RULES.append(rule)
    services.DRAFT_NOTES.append(note)
    try:
        html = page(login(client, editor).get(f"/admin/notices/policyversion/{draft.pk}/change/"))
        assert "Korean translation of section A is outdated" in html.select_one(".draft-warnings").get_text()
        assert "Japanese is 3 sections behind" in html.select_one(".draft-notes").get_text()
        with pytest.raises(services.PublishRefused, match="outdated"):
            services.version_publish(version=draft)
    finally:
        services.PUBLISH_RULES.remove(rule)
        services.DRAFT_NOTES.remove(note)
    assert services.version_publish(version=draft).is_published


def test_a_draft_built_on_a_withdrawn_version_is_rebased_onto_the_one_before(launch_content, client, editor):
    scheduled = publish_scheduled()
    draft = services.draft_start_next(user=editor)
    edit_addendum(draft, "south-korea-addendum", "under the age of 14", "under the age of fourteen")
    services.version_withdraw(version=scheduled, reason="Wrong number.")
    problems = services.publish_problems(draft)
    assert any(
        "builds on, effective " + scheduled.effective_date.isoformat() + ", was withdrawn" in p for p in problems
    )
    html = page(login(client, editor).get(f"/admin/notices/policyversion/{draft.pk}/change/"))
    assert "was withdrawn" in html.select_one(".draft-rebase").get_text()
    result = lineage.draft_rebase(version=draft, user=editor)
    assert result.onto == in_force() and result.conflicts == []
    assert "1300 363 992" in draft.sections.get(anchor="australia-addendum").body_en  # withdrawn edit gone
    assert "age of fourteen" in draft.sections.get(anchor="south-korea-addendum").body_en  # own edit kept
    assert lineage.stale_message(draft) == ""


def test_the_version_after_a_withdrawn_one_is_compared_with_the_one_it_replaces(launch_content):
    from notices import selectors

    scheduled = publish_scheduled(days=40)
    services.version_withdraw(version=scheduled, reason="Wrong number.")
    draft = services.draft_start_next()
    assert draft.copied_from == in_force()
    draft.effective_date = TODAY + datetime.timedelta(days=50)
    draft.save()
    services.version_publish(version=draft)
    history = {v.effective_date: v for v in selectors.version_history(on=TODAY)}
    assert history[draft.effective_date].previous == in_force().effective_date
    assert history[scheduled.effective_date].state == "withdrawn"
    assert selectors.upcoming_notice(on=TODAY).effective_date == draft.effective_date


def test_the_versions_history_says_what_changed_in_the_editors_language(client, launch_content, editor):
    draft = services.draft_start_next(user=editor)
    login(client, editor)
    data = change_form_data(client, draft)
    key = next(k for k, v in data.items() if k.endswith("-body_en") and "Office of the Australian" in v)
    data[key] = data[key].replace("1300 363 992", "1300 363 993")
    assert client.post(f"/admin/notices/policyversion/{draft.pk}/change/", data).status_code == 302
    html = page(client.get(f"/admin/notices/policyversion/{draft.pk}/change/", HTTP_ACCEPT_LANGUAGE="ko"))
    (change,) = html.select(".version-events .event-edited li")
    assert change.get_text(" ", strip=True).startswith("AUSTRALIA ADDENDUM [en] — 본문")


def test_a_second_rebase_of_the_same_draft_says_it_is_done_instead_of_failing(client, launch_content, editor):
    late = services.draft_start_next(user=editor)
    publish_scheduled(days=10)
    login(client, editor)
    url = f"/admin/notices/policyversion/{late.pk}/rebase/"
    assert client.post(url).status_code == 302
    # Two editors (or one double click) posting the same rebase: the second finds nothing to do.
    assert lineage.draft_rebase(version=late) is None
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "already builds on the latest published version" in page(response).select_one(".messagelist").get_text()
    assert late.events.filter(kind=VersionEvent.Kind.REBASED).count() == 1
