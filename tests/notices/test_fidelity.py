"""Every translation file is held to its English text's structure; the checker catches breakage.

The first test runs over whatever translation files notices/content/ holds (one case per
file), so a translation merged later is checked the moment it arrives.
"""

import re
from pathlib import Path

import pytest

from notices.fidelity import translation_problems
from notices.services import CONTENT_DIR
from notices.source import parse_policy_file, parse_policy_text
from tests.notices.translation_fixture import ENGLISH, synthetic_translation

TRANSLATION_FILES = sorted(CONTENT_DIR.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].*.md"))


def english_for(path):
    return parse_policy_file(CONTENT_DIR / f"{path.name.split('.')[0]}.md")


@pytest.mark.parametrize("path", TRANSLATION_FILES, ids=[p.name for p in TRANSLATION_FILES])
def test_each_translation_file_keeps_the_english_structure(path):
    translation = parse_policy_file(path)
    english = english_for(path)
    assert translation.is_translation and path.name.split(".")[1] == translation.language
    problems = translation_problems(english.sections, translation)
    assert not problems, "\n".join(f"{path.name}:{p.line}: {p.message}" for p in problems)
    # Spelled out, what the checker holds (so a weakened checker still fails here).
    assert [(s.anchor, s.jurisdiction) for s in translation.sections] == [
        (s.anchor, s.jurisdiction) for s in english.sections
    ]
    for ours, theirs in zip(english.sections, translation.sections, strict=True):
        assert re.findall(r"\]\((site:[^)]*)\)", ours.body) == re.findall(r"\]\((site:[^)]*)\)", theirs.body)
        for address in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://[^\s)\]|]+", ours.body):
            assert address in theirs.body, (ours.anchor, address)
        assert bool(theirs.heading) == bool(ours.heading)
    assert translation.summary.strip()


@pytest.mark.parametrize("language", ["ko", "zh-hans", "ja"])
def test_a_faithful_translation_passes(language):
    english = parse_policy_file(ENGLISH)
    translation = parse_policy_text(synthetic_translation(language), path=f"2025-09-02.{language}.md")
    assert translation_problems(english.sections, translation) == []


def section_lines(text, anchor):
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("## ") and f"{{#{anchor}" in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines, start, end


def drop_section(text, anchor):
    lines, start, end = section_lines(text, anchor)
    return "\n".join(lines[:start] + lines[end:])


def swap_sections(text, a, b):
    lines, a_start, a_end = section_lines(text, a)
    _, b_start, b_end = section_lines(text, b)
    assert a_end == b_start
    return "\n".join(lines[:a_start] + lines[b_start:b_end] + lines[a_start:a_end] + lines[b_end:])


def drop_table_row(text, anchor):
    """The first body row of the section's first table."""
    lines, start, end = section_lines(text, anchor)
    separator = next(i for i in range(start, end) if re.match(r"\|\s*-{3}", lines[i]))
    assert lines[separator + 1].startswith("|")
    return "\n".join(lines[: separator + 1] + lines[separator + 2 :])


def replace_in_section(text, anchor, old, new):
    lines, start, end = section_lines(text, anchor)
    block = "\n".join(lines[start:end])
    assert old in block, (anchor, old)
    return "\n".join([*lines[:start], block.replace(old, new, 1), *lines[end:]])


BROKEN = {
    "missing-section": (lambda t: drop_section(t, "cookies"), "missing section 'cookies'"),
    "unknown-anchor": (lambda t: t.replace("{#cookies}", "{#cookie-policy}"), "unknown anchor 'cookie-policy'"),
    "out-of-order": (lambda t: swap_sections(t, "cookies", "changes"), "not in the English order"),
    "lost-jurisdiction": (
        lambda t: t.replace("{#australia-addendum jurisdiction=au}", "{#australia-addendum}"),
        "must carry jurisdiction=au",
    ),
    "renumbered-item": (lambda t: replace_in_section(t, "collection", "\n3. ", "\n4. "), "expected numbered item 3"),
    "dropped-item": (
        lambda t: re.sub(r"\n7\. [^\n]*", "", t, count=1),
        "ends early: the English continues with numbered item 7",
    ),
    "bullet-made-paragraph": (
        lambda t: replace_in_section(t, "south-korea-addendum", "\n- ", "\n"),
        "expected a bullet",
    ),
    "table-column-dropped": (
        lambda t: replace_in_section(t, "south-korea-addendum", "| --- | --- |\n", "| --- |\n"),
        "table",
    ),
    "table-row-dropped": (
        lambda t: drop_table_row(t, "south-korea-addendum"),
        "table",
    ),
    "br-moved": (
        lambda t: replace_in_section(t, "south-korea-addendum", "<br>(", " ("),
        "with <br> in cells",
    ),
    "email-dropped": (
        lambda t: replace_in_section(
            t, "south-korea-addendum", "[privacyalicloud@draju.com](mailto:privacyalicloud@draju.com)", "이메일"
        ),
        "mailto:privacyalicloud@draju.com",
    ),
    "url-changed": (
        lambda t: t.replace("(https://privacy.gov.ph/)", "(https://www.privacy.gov.ph/)", 1),
        "https://privacy.gov.ph/",
    ),
    "site-link-changed": (
        # Another real section: only the checker, not the link resolver, can see it is wrong.
        lambda t: t.replace("(site:section/access-and-contact)", "(site:section/retention)", 1),
        "site:section/access-and-contact",
    ),
    "extra-paragraph": (
        lambda t: replace_in_section(t, "security", "{#security}\n", "{#security}\n\n덧붙인 단락.\n"),
        "a paragraph is extra",
    ),
    "heading-level": (lambda t: t.replace("\n#### ", "\n### ", 1), "sub-heading"),
}


# Each breakage is applied to the synthetic sample and to every real translation file, so the
# checker is proven on the shapes the real files have (e.g. their tables and links), not only
# on the synthetic one's.
SAMPLES = {
    "synthetic.ko": ("2025-09-02.ko.md", lambda: synthetic_translation("ko")),
    **{p.name: (p.name, lambda p=p: p.read_text(encoding="utf-8")) for p in TRANSLATION_FILES},
}


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("name", BROKEN)
def test_the_checker_fails_a_broken_translation_and_points_at_the_line(name, sample):
    breakage, expected = BROKEN[name]
    filename, read = SAMPLES[sample]
    good = read()
    english = english_for(Path(filename))
    assert translation_problems(english.sections, parse_policy_text(good, path=filename)) == []
    broken = breakage(good)
    assert broken != good, "the breakage must change the sample"
    problems = translation_problems(english.sections, parse_policy_text(broken, path=filename))
    assert problems, name
    assert any(expected in p.message for p in problems), [p.message for p in problems]
    lines = broken.split("\n")
    assert all(1 <= p.line <= len(lines) for p in problems)
