"""Translation status that cannot lie: what a draft changes in English shows, and publishes, as such."""

import datetime
import re

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User

from notices import lineage, services
from notices.models import PolicyVersion, SectionTranslation, VersionEvent
from notices.translation_status import MISSING, OUTDATED, translation_problems

pytestmark = pytest.mark.django_db
LANGUAGES = ("ko", "zh-hans", "ja")
SENTENCE = "We do not use Cookies to collect personal data about you."  # not in the launch text


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 3, 0, tzinfo=datetime.timezone.utc), tick=False):
        yield


@pytest.fixture
def translated(launch_content):
    """The launch version with its real translation in every language, as load_launch_content imports it."""
    version = PolicyVersion.objects.published().get(effective_date="2025-09-02")
    assert translation_problems(version) == []
    assert SectionTranslation.objects.filter(section__version=version).count() == 17 * len(LANGUAGES)
    return version


@pytest.fixture
def publisher(db):
    user = User.objects.create_user("publisher", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Legal publishers"))
    return user


def page(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def change_one_sentence(draft, anchor="cookies"):
    section = draft.sections.get(anchor=anchor)
    section.body_en = section.body_en.rstrip("\n") + " " + SENTENCE + "\n"
    section.save()
    return section


def outdated_and_missing(version):
    return {
        p.language: ([s.anchor for s in p.outdated], [s.anchor for s in p.missing])
        for p in translation_problems(version)
    }


def test_a_draft_copies_the_translations_with_their_records(translated):
    draft = services.draft_start_next()
    assert SectionTranslation.objects.filter(section__version=draft).count() == 17 * 3
    assert translation_problems(draft) == []


def test_changing_one_english_sentence_outdates_that_section_in_every_language_and_nothing_else(translated):
    draft = services.draft_start_next()
    change_one_sentence(draft)
    assert outdated_and_missing(draft) == {language: (["cookies"], []) for language in LANGUAGES}
    # The published version is untouched.
    assert translation_problems(translated) == []


def test_the_draft_page_shows_the_section_outdated(client, translated, publisher):
    draft = services.draft_start_next()
    change_one_sentence(draft)
    client.force_login(publisher)
    form = page(client.get(f"/admin/notices/policyversion/{draft.pk}/change/"))
    outdated = form.select(".translation-status.outdated")
    assert len(outdated) == 3  # the one section, in each of the three languages
    assert all("cookies" in span.find_parent("a")["href"] for span in outdated)
    assert len(form.select(".translation-status.current")) == 16 * 3


def test_a_missing_translation_is_missing_not_outdated(untranslated_launch_content):
    draft = services.draft_start_next()
    problems = translation_problems(draft)
    assert {p.language for p in problems} == set(LANGUAGES)
    assert all(len(p.missing) == 17 and not p.outdated for p in problems)
    assert MISSING != OUTDATED


def test_publishing_with_an_outdated_section_asks_and_then_shows_it_in_english(
    client, translated, publisher, django_capture_on_commit_callbacks
):
    draft = services.draft_start_next()
    change_one_sentence(draft)
    services.publication_request(version=draft, user=None)  # four eyes: an editor asked for it
    client.force_login(publisher)
    confirm = page(client.get(f"/admin/notices/policyversion/{draft.pk}/publish/"))
    listed = confirm.select_one(".translation-problems")
    assert listed is not None
    text = listed.get_text(" ", strip=True)
    assert "1 of 17 sections would be shown in English" in text
    assert "I. COOKIES" in text and "outdated" in text
    assert confirm.select_one("input[name=translations][required]")
    # Without the publisher's choice, nothing is published.
    client.post(f"/admin/notices/policyversion/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert not draft.is_published
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/notices/policyversion/{draft.pk}/publish/", {"translations": "fall-back-to-english"}
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published

    korean = page(client.get("/ko/privacy/?jurisdiction=all"))
    cookies = korean.find("section", id="cookies")
    assert cookies["lang"] == "en" and SENTENCE in cookies.get_text()
    assert [s["id"] for s in korean.select("article section[lang=en]")] == ["cookies"]
    note = korean.select_one("p.fallback-note").get_text()
    assert "17개 섹션 중 1개 섹션" in note
    assert "일부" not in note  # never "some"
    assert korean.select_one("p.translation-note")  # the rest is a translation, English prevails
    # The English page has neither note.
    english = page(client.get("/en/privacy/?jurisdiction=all"))
    assert not english.select("p.fallback-note, p.translation-note")


def test_the_fallback_note_counts_the_sections_on_the_page(client, translated, django_capture_on_commit_callbacks):
    draft = services.draft_start_next()
    change_one_sentence(draft, "australia-addendum")
    change_one_sentence(draft, "cookies")
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    assert (
        "17개 섹션 중 2개" in page(client.get("/ko/privacy/?jurisdiction=all")).select_one("p.fallback-note").get_text()
    )
    # Reading Korea's addendum only: 13 sections shown, one of them (cookies) in English.
    korea = page(client.get("/ko/privacy/?jurisdiction=kr")).select_one("p.fallback-note").get_text()
    assert "13개 섹션 중 1개" in korea


def test_an_untranslated_page_says_all_of_it_is_in_english(client, untranslated_launch_content):
    note = page(client.get("/zh-hans/privacy/?jurisdiction=all")).select_one("p.fallback-note").get_text()
    assert "全部 17 个部分均以英文显示" in note
    assert not page(client.get("/zh-hans/privacy/")).select_one("p.translation-note")


HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")
LATIN = re.compile(r"[A-Za-z]")


def letters(text):
    return {
        "hangul": len(HANGUL.findall(text)),
        "han": len(HAN.findall(text)),
        "kana": len(KANA.findall(text)),
        "latin": len(LATIN.findall(text)),
    }


def assert_fully_translated(document, language):
    sections = document.select("article section")
    assert len(sections) == 17
    assert not document.select("article section[lang=en]")
    assert not document.select_one("p.fallback-note")
    assert document.select_one("p.translation-note")
    for section in sections:
        count = letters(section.get_text())
        own = {"ko": count["hangul"], "zh-hans": count["han"], "ja": count["kana"] + count["han"]}[language]
        assert own > count["latin"], (section["id"], count)
    total = letters(document.find("article").get_text())
    if language == "ja":
        assert total["kana"] > 0 and total["han"] > 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_section_is_shown_in_the_language_with_the_translation_note(client, translated, language):
    document = page(client.get(f"/{language}/privacy/?jurisdiction=all"))
    assert_fully_translated(document, language)


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
def test_the_korea_addendum_has_its_four_tables_in_every_language(client, translated, language):
    korea = page(client.get(f"/{language}/privacy/?jurisdiction=kr")).find("section", id="south-korea-addendum")
    tables = korea.find_all("table")
    assert len(tables) == 4
    assert [len(t.find("tr").find_all("th")) for t in tables] == [4, 4, 2, 6]
    if language != "en":
        assert korea.get("lang") is None


def test_outdated_translations_of_a_published_version_are_never_shown(
    client, translated, django_capture_on_commit_callbacks
):
    """Published with a stale translation, the stale text stays in the record but not on the page."""
    draft = services.draft_start_next()
    change_one_sentence(draft)
    stale = draft.sections.get(anchor="cookies").body_ko
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    assert PolicyVersion.objects.get(pk=draft.pk).sections.get(anchor="cookies").body_ko == stale
    korean = page(client.get("/ko/privacy/?jurisdiction=all")).find("section", id="cookies")
    assert korean["lang"] == "en"
    # Only the page's own links inside the section (e.g. "back to contents") are Korean, marked so.
    chrome = korean.select("[lang=ko]")
    assert chrome
    for part in chrome:
        part.decompose()
    assert not HANGUL.search(korean.get_text())


# --- the translator's view ---------------------------------------------------------------------


def test_the_translator_sees_the_english_beside_the_translation_and_what_changed(client, translated, publisher):
    draft = services.draft_start_next()
    change_one_sentence(draft)
    client.force_login(publisher)
    view = page(client.get(f"/admin/notices/policyversion/{draft.pk}/translations/ko/"))
    cookies = view.find("section", id="cookies")
    assert cookies.select_one(".translation-status.outdated")
    assert SENTENCE in cookies.select_one(".english").get_text()
    assert HANGUL.search(cookies.select_one(".translated").get_text())
    inserted = " ".join(ins.get_text() for ins in cookies.select(".english-changes ins"))
    assert "Cookies to collect personal data" in inserted
    assert not view.find("section", id="collection").select_one(".english-changes")
    index = page(client.get(f"/admin/notices/policyversion/{draft.pk}/translations/"))
    assert "16 / 17" in index.get_text()


def test_mark_as_up_to_date_is_recorded_with_who_and_when(client, translated, publisher):
    draft = services.draft_start_next()
    section = change_one_sentence(draft)
    client.force_login(publisher)
    url = f"/admin/notices/policyversion/{draft.pk}/translations/ko/{section.pk}/current/"
    assert client.get(url).status_code == 405
    response = client.post(url, {"edit_token": lineage.edit_token(draft)})
    assert response.status_code == 302 and response["Location"].endswith("/translations/ko/#cookies")
    record = SectionTranslation.objects.get(section=section, language="ko")
    assert record.how == "confirmed" and record.recorded_by == publisher
    assert record.recorded_at == datetime.datetime(2026, 11, 29, 3, 0, tzinfo=datetime.timezone.utc)
    assert outdated_and_missing(draft) == {"zh-hans": (["cookies"], []), "ja": (["cookies"], [])}
    assert LogEntry.objects.filter(object_id=str(draft.pk), change_message__contains="marked as up to date").exists()


def test_a_translator_edits_a_draft_translation_held_to_the_english_structure(client, translated, publisher):
    draft = services.draft_start_next()
    section = change_one_sentence(draft)
    client.force_login(publisher)
    url = f"/admin/notices/policyversion/{draft.pk}/translations/ja/{section.pk}/"
    form = page(client.get(url))
    assert form.find("textarea", attrs={"name": "body"}).get_text().strip() == section.body_ja.strip()
    # A body that drops the English link target is refused, and nothing is saved.
    token = lineage.edit_token(draft)
    response = client.post(url, {"heading": "I. クッキー", "body": "クッキーについて。", "edit_token": token})
    assert response.status_code == 200
    assert "link targets" in page(response).select_one(".errorlist").get_text()
    assert outdated_and_missing(draft)["ja"] == (["cookies"], [])
    body = section.body_en.replace("We and our partners", "当社およびパートナーは")
    response = client.post(url, {"heading": "I. クッキー", "body": body, "edit_token": token})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.heading_ja == "I. クッキー" and "当社およびパートナー" in section.body_html_ja
    assert "ja" not in outdated_and_missing(draft)
    record = SectionTranslation.objects.get(section=section, language="ja")
    assert record.how == "edited" and record.recorded_by == publisher


def test_a_published_version_cannot_be_edited_or_confirmed_by_a_translator(client, translated, publisher):
    client.force_login(publisher)
    section = translated.sections.get(anchor="cookies")
    base = f"/admin/notices/policyversion/{translated.pk}/translations/ko/"
    view = page(client.get(base))
    assert not view.select(".translator-actions")
    assert client.post(f"{base}{section.pk}/current/").status_code == 403
    assert client.post(f"{base}{section.pk}/", {"heading": "x", "body": "y"}).status_code == 403
    assert client.get(f"/admin/notices/policyversion/{translated.pk}/translations/fr/").status_code == 404


def test_a_translation_typed_in_the_drafts_language_tab_is_recorded_as_made_from_that_english(
    client, launch_content, publisher
):
    from tests.notices.test_editorial import change_form_data

    draft = services.draft_start_next()
    client.force_login(publisher)
    data = change_form_data(client, draft)
    key = next(k for k, v in data.items() if k.endswith("-body_en") and "We and our partners use" in v)
    prefix = key[: -len("body_en")]
    data[f"{prefix}body_ko"] = data[key]
    data[f"{prefix}heading_ko"] = "I. 쿠키"
    response = client.post(f"/admin/notices/policyversion/{draft.pk}/change/", data)
    assert response.status_code == 302
    assert "cookies" not in [s.anchor for p in translation_problems(draft) if p.language == "ko" for s in p.missing]
    assert (
        SectionTranslation.objects.get(section__version=draft, section__anchor="cookies", language="ko").how == "edited"
    )


def test_a_translation_typed_in_a_language_tab_must_keep_the_english_structure(
    client, untranslated_launch_content, publisher
):
    from tests.notices.test_editorial import change_form_data

    draft = services.draft_start_next()
    client.force_login(publisher)
    data = change_form_data(client, draft)
    key = next(k for k, v in data.items() if k.endswith("-body_en") and "We and our partners use" in v)
    prefix = key[: -len("body_en")]
    data[f"{prefix}body_ja"] = "クッキーを使います。"  # the English link target is gone
    data[f"{prefix}heading_ja"] = "I. クッキー"
    response = client.post(f"/admin/notices/policyversion/{draft.pk}/change/", data)
    assert response.status_code == 200
    assert "link targets" in page(response).select_one(".errorlist").get_text()
    assert not draft.sections.get(anchor="cookies").body_ja
    assert not SectionTranslation.objects.filter(section__version=draft, language="ja").exists()


def test_a_korean_editor_reads_why_a_translation_is_refused_in_korean(client, translated, publisher):
    draft = services.draft_start_next()
    section = change_one_sentence(draft)
    client.force_login(publisher)
    url = f"/admin/notices/policyversion/{draft.pk}/translations/ja/{section.pk}/"
    data = {"heading": "I. クッキー", "body": "クッキーについて。", "edit_token": lineage.edit_token(draft)}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200
    errors = page(response).select_one(".errorlist").get_text()
    assert "링크 대상이 영어 원문과 다릅니다" in errors and "link targets" not in errors


def test_a_translation_typed_in_a_language_tab_must_keep_the_english_sub_headings(
    client, untranslated_launch_content, publisher
):
    from tests.notices.test_editorial import change_form_data

    draft = services.draft_start_next()
    client.force_login(publisher)
    data = change_form_data(client, draft)
    key = next(k for k, v in data.items() if k.endswith("-body_en") and "\n### " in v.replace("\r\n", "\n"))
    prefix = key[: -len("body_en")]
    english = data[key].replace("\r\n", "\n")
    # The same text without its first sub-heading: the tab must refuse it, as the translator's view does.
    data[f"{prefix}body_ja"] = "\n".join(line for line in english.split("\n") if not line.startswith("### "))
    data[f"{prefix}heading_ja"] = "見出し"
    response = client.post(f"/admin/notices/policyversion/{draft.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert "小見出し" in page(response).select_one(".errorlist").get_text()
    assert not SectionTranslation.objects.filter(section__version=draft, language="ja").exists()


def test_a_translation_saved_from_a_page_older_than_the_english_is_refused_not_marked_up_to_date(
    client, translated, publisher
):
    # The record says "translated from this English": from a page opened before the English
    # changed, that would be a lie (and would overwrite whatever was saved meanwhile). The
    # translator's page carries the draft's edit token, as every page that edits a draft.
    draft = services.draft_start_next()
    section = draft.sections.get(anchor="cookies")
    client.force_login(publisher)
    url = f"/admin/notices/policyversion/{draft.pk}/translations/ja/{section.pk}/"
    form = page(client.get(url)).find("form", class_="translated")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    data.update({t["name"]: t.get_text() for t in form.find_all("textarea")})
    assert "edit_token" in data
    change_one_sentence(draft)  # another editor changes the English meanwhile...
    lineage.record(draft, VersionEvent.Kind.EDITED, user=None)  # ...as every save does
    response = client.post(url, data)
    assert response.status_code == 409
    assert "changed since you opened it" in page_of(response).get_text()
    assert outdated_and_missing(draft)["ja"] == (["cookies"], [])  # still outdated: nobody read the new English
    # The list page's "Mark as up to date" is held to the same token.
    listing = page(client.get(f"/admin/notices/policyversion/{draft.pk}/translations/ja/"))
    mark = listing.find("form", action=re.compile(rf"/{section.pk}/current/$"))
    token = mark.find("input", attrs={"name": "edit_token"})["value"]
    lineage.record(draft, VersionEvent.Kind.EDITED, user=None)
    client.post(mark["action"], {"edit_token": token})
    assert outdated_and_missing(draft)["ja"] == (["cookies"], [])
    client.post(mark["action"], {"edit_token": lineage.edit_token(draft)})
    assert "ja" not in outdated_and_missing(draft)


def page_of(response):
    return BeautifulSoup(response.content, "html.parser")
