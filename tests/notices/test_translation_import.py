"""Translations arrive as YYYY-MM-DD.<language>.md files and join their version, or nothing does."""

import io
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from notices import services
from notices.models import PolicyVersion, Section, SectionTranslation
from notices.source import PolicySourceError, parse_policy_file, parse_policy_text
from notices.translating import TranslationImportRefused, translation_import
from notices.translation_status import english_sha256
from tests.notices.translation_fixture import ENGLISH, SUMMARY, synthetic_translation, write_synthetic

pytestmark = pytest.mark.django_db


def launch():
    return PolicyVersion.objects.published().get(effective_date="2025-09-02")


def import_file(path):
    return translation_import(source=parse_policy_file(path))


def korean_columns(version):
    return list(version.sections.order_by("order").values_list("anchor", "heading_ko", "body_ko", "body_html_ko"))


# --- the file format -------------------------------------------------------------------------


def test_a_translation_names_its_language_and_has_no_material_flag(tmp_path):
    text = synthetic_translation("ko")
    parsed = parse_policy_text(text, path="x.ko.md")
    assert parsed.language == "ko" and parsed.is_translation
    with pytest.raises(PolicySourceError, match=r"x.md:3: language must be one of ko, zh-hans, ja"):
        parse_policy_text(text.replace("language: ko", "language: en"), path="x.md")
    with pytest.raises(PolicySourceError, match="a translation has no 'material' key"):
        parse_policy_text(text.replace("language: ko", "language: ko\nmaterial: true"), path="x.md")


def test_the_file_name_and_the_language_must_agree(tmp_path):
    path = tmp_path / "2025-09-02.ja.md"
    path.write_text(synthetic_translation("ko"), encoding="utf-8")
    with pytest.raises(PolicySourceError, match="the file name says 'ja' but its front matter says 'ko'"):
        parse_policy_file(path)
    path = tmp_path / "korean.md"
    path.write_text(synthetic_translation("ko"), encoding="utf-8")
    with pytest.raises(PolicySourceError, match=r"name a translation YYYY-MM-DD\.ko\.md"):
        parse_policy_file(path)


# --- importing -------------------------------------------------------------------------------


def test_a_translation_fills_every_section_and_the_summary_of_its_version(untranslated_launch_content, tmp_path):
    result = import_file(write_synthetic(tmp_path, "ko"))
    version = launch()
    assert result.version == version and result.added == 17 and result.unchanged == 0
    for anchor, heading, body, html in korean_columns(version):
        assert body and html.startswith("<"), anchor
        assert heading or anchor == "introduction"
    assert version.summary_ko == SUMMARY["ko"]
    # English untouched, and each section says what it was translated from.
    english = parse_policy_file(ENGLISH)
    assert list(version.sections.order_by("order").values_list("body_en", flat=True)) == [
        s.body for s in english.sections
    ]
    record = SectionTranslation.objects.get(section__version=version, section__anchor="cookies", language="ko")
    section = version.sections.get(anchor="cookies")
    assert record.source_sha256 == english_sha256(section.heading_en, section.body_en)
    assert record.how == "imported" and record.recorded_at and len(record.source_file_sha256) == 64


def test_importing_the_same_translation_again_changes_nothing(untranslated_launch_content, tmp_path):
    path = write_synthetic(tmp_path, "ko")
    import_file(path)
    before = (korean_columns(launch()), list(SectionTranslation.objects.values_list("pk", "recorded_at")))
    again = import_file(path)
    assert (again.added, again.unchanged) == (0, 17)
    assert (korean_columns(launch()), list(SectionTranslation.objects.values_list("pk", "recorded_at"))) == before


def test_a_published_translation_is_never_overwritten(untranslated_launch_content, tmp_path):
    path = write_synthetic(tmp_path, "ko")
    import_file(path)
    before = korean_columns(launch())
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.endswith("{#cookies}"))
    lines[index + 2] = lines[index + 2] + " 추가된 문장."
    changed = "\n".join(lines)
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(
        TranslationImportRefused, match=r"2025-09-02\.ko\.md:\d+: section 'cookies' .* never overwritten"
    ):
        import_file(path)
    assert korean_columns(launch()) == before


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda t: t.replace("{#cookies}", "{#biscuits}"), r":\d+: unknown anchor 'biscuits'"),
        (None, r"missing section 'cookies'"),
        (lambda t: t.replace("\n2. ", "\n3. ", 1), r"expected numbered item 2 .*found numbered item 3"),
        (lambda t: t.replace("| --- | --- | --- | --- |", "| --- | --- | --- |", 1), r"structure differs|table"),
        (lambda t: t.replace("(mailto:DPO_Intl@alibabacloud.com)", "(mailto:someone@example.com)", 1), r"link targets"),
        (lambda t: t.replace("(site:cookie-settings)", "(site:cookies)", 1), r"link targets .*site:cookie-settings"),
    ],
    ids=["unknown-anchor", "missing-section", "numbered-item", "table-shape", "email", "site-link"],
)
def test_a_translation_that_departs_from_the_english_is_refused_with_file_and_line(
    untranslated_launch_content, tmp_path, breakage, expected
):
    text = synthetic_translation("ko")
    lines = text.split("\n")
    heading_of = {line.split("{#")[1].split()[0].rstrip("}"): i for i, line in enumerate(lines) if "{#" in line}
    if breakage is None:  # drop the whole section, found by its brace block
        start, end = heading_of["cookies"], heading_of["changes"]
        broken = "\n".join(lines[:start] + lines[end:])
    else:
        broken = breakage(text)
    assert broken != text
    path = tmp_path / "2025-09-02.ko.md"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(PolicySourceError, match=expected) as raised:
        import_file(path)
    assert str(raised.value).startswith(f"{path}:")
    assert raised.value.line > 5  # a line of the body, not just the file
    assert all(not body for *_, body, _html in korean_columns(launch()))
    assert not SectionTranslation.objects.exists()
    assert not launch().summary_ko


def test_the_command_line_imports_a_translation_and_says_what_it_did(untranslated_launch_content, tmp_path):
    out = io.StringIO()
    path = write_synthetic(tmp_path, "ja")
    call_command("import_policy", str(path), stdout=out)
    assert "ja translation of the version effective 2025-09-02: 17 sections written" in out.getvalue()
    with pytest.raises(CommandError, match="a translation is not published on its own"):
        call_command("import_policy", str(path), publish=True, stdout=out)


def test_a_translation_without_its_version_is_refused(jurisdictions, tmp_path):
    with pytest.raises(PolicySourceError, match="no version effective 2025-09-02 to translate"):
        import_file(write_synthetic(tmp_path, "ko"))


def test_a_draft_takes_a_new_translation_over_its_old_one(launch_content, tmp_path):
    draft = services.draft_start_next()
    english = ENGLISH.read_text(encoding="utf-8").replace(
        "effective_date: 2025-09-02", f"effective_date: {draft.effective_date}"
    )
    path = write_synthetic(tmp_path, "zh-hans", english)
    first = import_file(path)
    assert first.version == draft and first.added == 17
    text = path.read_text(encoding="utf-8").replace("{#cookies}\n\n", "{#cookies}\n\n新的 ", 1)
    path.write_text(text, encoding="utf-8")
    second = import_file(path)
    assert (second.added, second.unchanged) == (1, 16)
    assert draft.sections.get(anchor="cookies").body_zh_hans.startswith("新的 ")


def test_load_launch_content_imports_the_translation_files_there_are_once(settings, tmp_path, db, monkeypatch):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ENGLISH, content / ENGLISH.name)
    shutil.copy(services.LAUNCH_DATA, content / "launch.json")
    write_synthetic(content, "ko")
    write_synthetic(content, "ja")
    monkeypatch.setattr(services, "CONTENT_DIR", content)
    monkeypatch.setattr(services, "LAUNCH_DATA", content / "launch.json")
    out = io.StringIO()
    call_command("load_launch_content", stdout=out)
    version = launch()
    assert all(body for *_, body, _ in korean_columns(version))
    assert all(version.sections.values_list("body_ja", flat=True))
    assert not any(version.sections.values_list("body_zh_hans", flat=True))
    assert SectionTranslation.objects.count() == 34
    call_command("load_launch_content", stdout=out)  # again: nothing changes, nothing fails
    assert SectionTranslation.objects.count() == 34
    assert "17 already there" in out.getvalue()


# --- the database keeps published translations fixed -----------------------------------------


def test_the_database_lets_a_published_translation_in_only_with_its_record_and_only_once(
    untranslated_launch_content, tmp_path
):
    version = launch()
    section = version.sections.get(anchor="cookies")
    # No record: a bare write of a translation into published text is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.filter(pk=section.pk).update(body_ko="몰래 넣은 번역.")
    import_file(write_synthetic(tmp_path, "ko"))
    record = SectionTranslation.objects.get(section=section, language="ko")
    # Once there, it is as fixed as the English, and so is its record.
    for change in (
        lambda: Section.objects.filter(pk=section.pk).update(body_ko="고친 번역."),
        lambda: Section.objects.filter(pk=section.pk).update(heading_ko="", body_ko="", body_html_ko=""),
        lambda: Section.objects.filter(pk=section.pk).update(body_ko="새 번역.", body_en="Changed too."),
        lambda: SectionTranslation.objects.filter(pk=record.pk).update(source_sha256="0" * 64),
        lambda: SectionTranslation.objects.filter(pk=record.pk).delete(),
        lambda: PolicyVersion.objects.filter(pk=version.pk).update(summary_ko="다른 요약."),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()
    # A record cannot be slipped under a translation that is already published.
    with pytest.raises(IntegrityError), transaction.atomic():
        SectionTranslation.objects.create(
            section=section,
            language="ko",
            source_sha256="0" * 64,
            source_body="x",
            how="imported",
            recorded_at=record.recorded_at,
        )
    section.refresh_from_db()
    assert section.body_ko and SectionTranslation.objects.get(pk=record.pk).source_sha256 == record.source_sha256


def test_a_translation_added_to_the_published_version_reaches_the_cached_page(
    client, untranslated_launch_content, tmp_path, django_capture_on_commit_callbacks
):
    before = client.get("/ko/privacy/?jurisdiction=all").content.decode()
    assert "전체 17개 섹션이 모두 영어로 표시됩니다" in before
    with django_capture_on_commit_callbacks(execute=True):
        import_file(write_synthetic(tmp_path, "ko"))
    after = client.get("/ko/privacy/?jurisdiction=all").content.decode()
    assert "영어로 표시됩니다" not in after
    assert "영어 원문을 번역한 것입니다" in after


def test_the_prevailing_language_must_be_one_of_the_sites(settings):
    from notices.checks import prevailing_language_check

    assert prevailing_language_check() == []
    settings.NOTICES_PREVAILING_LANGUAGE = "fr"
    assert [e.id for e in prevailing_language_check()] == ["notices.E001"]


def test_the_note_names_the_prevailing_language_the_setting_names(client, launch_content, settings):
    # The page of the real Japanese translation, which load_launch_content imported.
    from core.cache import bump

    assert "英語の文言が優先します" in client.get("/ja/privacy/").content.decode()
    settings.NOTICES_PREVAILING_LANGUAGE = "ja"
    bump()
    note = client.get("/ja/privacy/").content.decode()
    assert "日本語の文言が優先します" in note
    assert "英語の文言が優先します" not in note
