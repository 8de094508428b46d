"""import_policy: what it stores, what it refuses, and that refusing changes nothing."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from notices.models import PolicyVersion, Section

from .factories import write_policy

pytestmark = pytest.mark.django_db


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_policy", str(path), *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(PolicyVersion.objects.values_list("effective_date", "status", "source_sha256").order_by("pk")),
        list(Section.objects.values_list("version_id", "anchor", "body_en").order_by("pk")),
    )


def test_import_creates_a_draft_with_sections_addenda_and_rendered_html(tmp_path, jurisdictions):
    path = write_policy(
        tmp_path,
        body="Intro with <script>alert(1)</script> and **bold**.\n\n"
        "## A {#a}\n\n| H1 | H2 |\n| --- | --- |\n| x | [link](javascript:alert(1)) |\n\n"
        "## AU {#au-addendum jurisdiction=au}\n\nAussie.\n",
    )
    assert "created" in run_import(path)
    version = PolicyVersion.objects.get()
    assert version.status == "draft"
    assert version.effective_date == datetime.date(2030, 1, 1)
    intro, a, au = version.sections.order_by("order")
    assert (intro.anchor, a.anchor, au.anchor) == ("introduction", "a", "au-addendum")
    assert au.jurisdiction.code == "au" and a.jurisdiction is None
    assert "<strong>bold</strong>" in intro.body_html
    assert "<script" not in intro.body_html
    assert "<thead>" in a.body_html and "<th>H1</th>" in a.body_html
    assert "javascript:" not in a.body_html


def test_publish_flag_publishes_and_records_the_time(tmp_path, jurisdictions):
    out = run_import(write_policy(tmp_path), "--publish")
    assert "published" in out
    version = PolicyVersion.objects.get()
    assert version.status == "published" and version.published_at is not None


def test_reimporting_identical_published_text_is_a_no_op(tmp_path, jurisdictions):
    path = write_policy(tmp_path)
    run_import(path, "--publish")
    before = snapshot()
    assert "nothing changed" in run_import(path, "--publish")
    assert "nothing changed" in run_import(path)
    assert snapshot() == before


def test_reimporting_an_identical_draft_is_a_no_op(tmp_path, jurisdictions):
    path = write_policy(tmp_path)
    run_import(path)
    before = snapshot()
    assert "nothing changed" in run_import(path)
    assert snapshot() == before


def test_different_text_for_a_published_date_is_refused_and_nothing_changes(tmp_path, jurisdictions):
    run_import(write_policy(tmp_path, name="one.md"), "--publish")
    before = snapshot()
    changed = write_policy(tmp_path, name="two.md", summary="Quietly edited.")
    with pytest.raises(CommandError, match="never overwritten"):
        run_import(changed, "--publish")
    with pytest.raises(CommandError, match="never overwritten"):
        run_import(changed)
    assert snapshot() == before


def test_unknown_jurisdiction_names_file_and_line_and_changes_nothing(tmp_path, jurisdictions):
    path = write_policy(tmp_path, body="Intro.\n\n## X {#x jurisdiction=atlantis}\n\nText.\n")
    with pytest.raises(CommandError) as caught:
        run_import(path, "--publish")
    assert f"{path}:9: unknown jurisdiction 'atlantis'" in str(caught.value)
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "line", "message"),
    [
        ({"effective_date": "2030-13-01"}, 2, "real date"),
        ({"body": "## A {#a}\n\nx\n\n## B {#a}\n\ny\n"}, 11, "duplicate anchor"),
        ({"body": "## A {#a}\n\n## B {#b}\n\ny\n"}, 7, "empty body"),
    ],
)
def test_malformed_files_fail_with_file_and_line(tmp_path, jurisdictions, kwargs, line, message):
    path = write_policy(tmp_path, **kwargs)
    with pytest.raises(CommandError) as caught:
        run_import(path, "--publish")
    assert str(caught.value).startswith(f"{path}:{line}:")
    assert message in str(caught.value)
    assert not PolicyVersion.objects.exists()


def test_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="cannot read"):
        run_import(tmp_path / "nope.md")


def test_text_for_a_version_listed_without_text_fills_it(tmp_path, launch_content):
    listed = PolicyVersion.objects.get(effective_date="2024-08-30")
    assert not listed.sections.exists()
    path = write_policy(tmp_path, effective_date="2024-08-30", summary="Recovered text.")
    assert "text added" in run_import(path, "--publish")
    listed = PolicyVersion.objects.published().get(effective_date="2024-08-30")
    assert listed.status == "published"
    assert listed.sections.count() == 3
    assert listed.summary == "Recovered text."
    # and it is now protected like any other published text
    with pytest.raises(CommandError, match="never overwritten"):
        run_import(write_policy(tmp_path, name="b.md", effective_date="2024-08-30", summary="Other."))


def test_load_launch_content_is_idempotent(launch_content):
    before = snapshot()
    out = io.StringIO()
    call_command("load_launch_content", stdout=out)
    assert "jurisdictions created: 0; earlier versions listed: 0" in out.getvalue()
    assert "nothing changed" in out.getvalue()
    assert snapshot() == before


def test_load_launch_content_keeps_editors_jurisdiction_changes(launch_content):
    from notices.models import Jurisdiction

    Jurisdiction.objects.filter(code="au").update(name_en="Commonwealth of Australia")
    call_command("load_launch_content", stdout=io.StringIO())
    assert Jurisdiction.objects.get(code="au").name_en == "Commonwealth of Australia"
