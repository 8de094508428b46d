"""The change notice quotes the change summary in the subscriber's language when it was translated."""

from django.core import mail

from notices import services as notices_services
from notices.source import parse_policy_file, parse_policy_text
from notices.translating import translation_import
from tests.notices.factories import policy_text

from .conftest import make_subscribers

KOREAN_SUMMARY = "2031년 3월 1일부터 로그를 30일 동안 보관합니다."


def test_the_korean_notice_quotes_the_summary_from_the_korean_translation_file(
    launch_content, publish, tmp_path, settings
):
    english = policy_text(effective_date="2031-03-01", material="true", summary="We now keep logs for 30 days.")
    version = notices_services.policy_import(source=parse_policy_text(english, path="2031-03-01.md")).version
    # The Korean file for the same version: the same sections, translated, with its summary.
    korean = (
        "---\neffective_date: 2031-03-01\nlanguage: ko\n"
        f"summary: {KOREAN_SUMMARY}\n---\n\n"
        "서문 단락입니다.\n\n## A. 첫째 {#first}\n\n첫째 섹션 본문입니다.\n\n"
        "## 호주 부속서 {#australia-addendum jurisdiction=au}\n\n호주 본문입니다.\n"
    )
    path = tmp_path / "2031-03-01.ko.md"
    path.write_text(korean, encoding="utf-8")
    translation_import(source=parse_policy_file(path))
    make_subscribers(4)  # one per language
    publish(version)

    by_language = {m.extra_headers.get("Content-Language") or m.message()["Content-Language"]: m for m in mail.outbox}
    korean_mail = by_language["ko"]
    html = korean_mail.alternatives[0].content
    assert KOREAN_SUMMARY in korean_mail.body and KOREAN_SUMMARY in html
    assert "We now keep logs" not in korean_mail.body
    assert "아직 제공되지 않습니다" not in korean_mail.body  # not flagged as English
    # A language without its translation gets the English summary, marked as English.
    assert "We now keep logs for 30 days." in by_language["zh-hans"].body
    assert '<div lang="en">' in by_language["zh-hans"].alternatives[0].content
