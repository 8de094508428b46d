"""The real translation files in notices/content/, once there, as a visitor reads them.

One case per translation file present (none until the translations are merged): the launch
content is loaded as `make run` loads it, and the language's page must show all 17 sections
in that language, with the translation note and no note about English sections.
"""

import re

import pytest
from bs4 import BeautifulSoup

from notices.services import CONTENT_DIR

pytestmark = pytest.mark.django_db
TRANSLATION_FILES = sorted(CONTENT_DIR.glob("2025-09-02.*.md"))
SCRIPTS = {
    "ko": re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]"),  # Hangul
    "zh-hans": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"),  # Han
    "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf]"),  # kana and kanji
}
KANA = re.compile(r"[\u3040-\u30ff]")
KANJI = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def share_of_own_script(text, language):
    own, latin = len(SCRIPTS[language].findall(text)), len(LATIN.findall(text))
    return own / (own + latin)


@pytest.mark.parametrize("path", TRANSLATION_FILES, ids=[p.name for p in TRANSLATION_FILES])
def test_the_translated_policy_is_read_in_its_language(client, launch_content, path):
    language = path.name.split(".")[1]
    response = client.get(f"/{language}/privacy/?jurisdiction=all")
    assert response.status_code == 200
    document = BeautifulSoup(response.content, "html.parser")
    sections = document.select("article section")
    assert len(sections) == 17
    assert not document.select("article section[lang=en]"), "no section falls back to English"
    assert not document.select_one("p.fallback-note")
    assert document.select_one("p.translation-note")
    for section in sections:
        assert SCRIPTS[language].search(section.get_text()), section["id"]
    text = document.find("article").get_text()
    # The large majority of the letters: names, addresses and acronyms stay in Latin letters.
    assert share_of_own_script(text, language) > 0.6, share_of_own_script(text, language)
    if language == "ja":
        assert KANA.search(text) and KANJI.search(text)
    korea = document.find("section", id="south-korea-addendum")
    assert [len(t.find("tr").find_all("th")) for t in korea.find_all("table")] == [4, 4, 2, 6]
