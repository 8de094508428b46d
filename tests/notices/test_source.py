"""The policy file format: what parses, and how each kind of bad file is reported."""

import datetime

import pytest

from notices.source import PolicySourceError, parse_policy_file, parse_policy_text

from .factories import policy_text


def test_parses_front_matter_preamble_sections_and_addenda():
    parsed = parse_policy_text(policy_text(material="true", summary="New retention rules."))
    assert parsed.effective_date == datetime.date(2030, 1, 1)
    assert parsed.material is True
    assert parsed.summary == "New retention rules."
    assert [(s.order, s.anchor, s.heading, s.jurisdiction) for s in parsed.sections] == [
        (0, "introduction", "", None),
        (1, "first", "A. FIRST", None),
        (2, "australia-addendum", "AUSTRALIA ADDENDUM", "au"),
    ]
    assert parsed.sections[1].body == "First section text.\n"


def test_subheadings_and_fenced_code_stay_inside_their_section():
    body = "## A {#a}\n\n### Sub\n\ntext\n\n```\n## not a section\n```\n"
    parsed = parse_policy_text(policy_text(body=body))
    assert [s.anchor for s in parsed.sections] == ["a"]
    assert "### Sub" in parsed.sections[0].body


def test_checksum_ignores_line_endings_and_bom():
    text = policy_text()
    assert parse_policy_text(text).sha256 == parse_policy_text("\ufeff" + text.replace("\n", "\r\n")).sha256
    assert parse_policy_text(text).sha256 != parse_policy_text(text + "More.\n").sha256


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Just text\n", 1, "must start with front matter"),
        ("---\neffective_date: 2030-01-01\nmaterial: false\n", 4, "not closed"),
        ("---\nmaterial: false\n---\n\nText\n", 3, "lacks 'effective_date'"),
        ("---\neffective_date: 2030-02-30\nmaterial: false\n---\n\nText\n", 2, "real date"),
        ("---\neffective_date: 2030/01/01\nmaterial: false\n---\n\nText\n", 2, "real date"),
        ("---\neffective_date: 20300101\nmaterial: false\n---\n\nText\n", 2, "real date"),
        ("---\neffective_date: 2030-01-01\nmaterial: maybe\n---\n\nText\n", 3, "true or false"),
        ("---\neffective_date: 2030-01-01\nmaterial: false\nauthor: me\n---\n\nText\n", 4, "unknown front"),
        ("---\neffective_date: 2030-01-01\neffective_date: 2030-01-02\n---\n", 3, "repeated"),
        ("---\neffective_date: 2030-01-01\nno colon here\n---\n", 3, "key: value"),
        ("---\neffective_date: 2030-01-01\nmaterial: false\n---\n\n", 5, "no policy text"),
    ],
)
def test_bad_front_matter_names_the_line(text, line, message):
    with pytest.raises(PolicySourceError) as caught:
        parse_policy_text(text, path="bad.md")
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"bad.md:{line}: ")


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("## A {#a}\n\nx\n\n## B {#a}\n\ny\n", 11, "duplicate anchor 'a' (first used on line 7)"),
        ("## A {#a}\n\n## B {#b}\n\ny\n", 7, "empty body"),
        ("## A {#a}\n\nx\n\n## B {#b}\n", 11, "empty body"),
        ("## Heading without anchor\n\nx\n", 7, "must look like"),
        ("## A {jurisdiction=au}\n\nx\n", 7, "no '#anchor'"),
        ("## A {#Bad_Anchor}\n\nx\n", 7, "unexpected '#Bad_Anchor'"),
        ("## A {#a #b}\n\nx\n", 7, "exactly one anchor"),
        ("## A {#a jurisdiction=au jurisdiction=kr}\n\nx\n", 7, "at most one jurisdiction"),
        ("##  {#a}\n\nx\n", 7, "heading is empty"),
        ("## A {#introduction}\n\nx\n", 7, "reserved"),
    ],
)
def test_bad_sections_name_the_line(body, line, message):
    with pytest.raises(PolicySourceError) as caught:
        parse_policy_text(policy_text(body=body), path="bad.md")
    assert (caught.value.line, caught.value.path) == (line, "bad.md")
    assert message in caught.value.message


def test_unreadable_and_non_utf8_files_are_reported(tmp_path):
    with pytest.raises(PolicySourceError, match="cannot read"):
        parse_policy_file(tmp_path / "missing.md")
    path = tmp_path / "latin1.md"
    path.write_bytes(policy_text().encode() + b"caf\xe9\n")
    with pytest.raises(PolicySourceError) as caught:
        parse_policy_file(path)
    assert "UTF-8" in caught.value.message
    assert caught.value.line == policy_text().count("\n") + 1
