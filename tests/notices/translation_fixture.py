"""A synthetic translation of the launch policy, for tests that must not wait for the real ones.

Every word of prose becomes a made-up word in the target script (Hangul, Han, or kana and
kanji); everything the fidelity check holds fixed is kept as the English has it: headings'
brace blocks, Markdown structure, link targets, email addresses, URLs and ``<br>``. It reads
as nonsense, but it is shaped exactly like a faithful translation, so importing, rendering
and status can be tested on the full 17 sections. The real translation files, once present
in notices/content/, are tested by the same tests (see test_translations_real.py).
"""

import re
from pathlib import Path

from notices.services import CONTENT_DIR

ENGLISH = CONTENT_DIR / "2025-09-02.md"
# Kept verbatim: link targets, brace blocks, addresses, URLs, <br>, Markdown list markers.
PROTECTED_RE = re.compile(
    r"\]\([^)]*\)"
    r"|\{#[^}]*\}"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|https?://[^\s)\]>|]+"
    r"|<br\s*/?>"
    r"|\[\[[a-z]+\]\]"  # generated blocks, e.g. [[updates]]
    r"|^\s*(?:\d+\.|[-*+])\s"
)
WORD_RE = re.compile(r"[A-Za-z]+")
SCRIPTS = {
    "ko": "가나다라마바사아자차카타파하한국어개인정보처리방침",
    "zh-hans": "个人数据处理政策隐私保护收集使用披露转移安全",
    "ja": "個人情報のとりあつかいにかんするほうしんプライバシー",
}
SUMMARY = {
    "ko": "이 사이트에 게시된 최초 버전입니다.",
    "zh-hans": "本网站发布的第一个版本。",
    "ja": "本サイトで公開した最初の版です。",
}


def _word(word: str, alphabet: str) -> str:
    # Deterministic: the same English word always gives the same made-up word.
    length = max(1, (len(word) + 1) // 2)
    seed = sum(ord(c) for c in word)
    return "".join(alphabet[(seed + i * 7) % len(alphabet)] for i in range(length))


def _translate_line(line: str, alphabet: str) -> str:
    out, position = [], 0
    for match in PROTECTED_RE.finditer(line):
        out.append(WORD_RE.sub(lambda m: _word(m[0], alphabet), line[position : match.start()]))
        out.append(match[0])
        position = match.end()
    out.append(WORD_RE.sub(lambda m: _word(m[0], alphabet), line[position:]))
    return "".join(out)


def synthetic_translation(language: str, english: str | None = None) -> str:
    """The whole file, front matter included, as YYYY-MM-DD.<language>.md would hold it."""
    text = english if english is not None else ENGLISH.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    date = re.search(r"^effective_date:\s*(\S+)", front, re.MULTILINE)[1]
    alphabet = SCRIPTS[language]
    lines = []
    for line in body.split("\n"):
        if line.startswith("| ---") or line.startswith("|---"):
            lines.append(line)  # the table's separator row is structure, not words
        else:
            lines.append(_translate_line(line, alphabet))
    return f"---\neffective_date: {date}\nlanguage: {language}\nsummary: {SUMMARY[language]}\n---\n" + "\n".join(lines)


def write_synthetic(directory: Path, language: str, english: str | None = None) -> Path:
    text = synthetic_translation(language, english)
    date = re.search(r"^effective_date:\s*(\S+)", text, re.MULTILINE)[1]
    path = directory / f"{date}.{language}.md"
    path.write_text(text, encoding="utf-8")
    return path
