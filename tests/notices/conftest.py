import shutil

import pytest
from django.core.management import call_command


@pytest.fixture
def untranslated_launch_content(db, monkeypatch, tmp_path_factory, django_capture_on_commit_callbacks):
    """The launch content as `launch_content` loads it, but without its translation files.

    load_launch_content reads services.CONTENT_DIR; here it reads a copy that holds the
    English versions and launch.json only, so the published launch version is in the state
    it was in before its translations arrived: every section in English, no translation
    record. Tests of importing a translation, of the English fallback and of "missing"
    start from there; the real translations are tested with `launch_content`.
    """
    from notices import services
    from notices.models import PolicyVersion, SectionTranslation

    content = tmp_path_factory.mktemp("english-content")
    shutil.copy(services.LAUNCH_DATA, content / services.LAUNCH_DATA.name)
    english = [p for p in services.CONTENT_DIR.glob("*.md") if p.name[:4].isdigit() and p.name.count(".") == 1]
    assert english, "the launch policy's English file is missing"
    for path in english:
        shutil.copy(path, content / path.name)
    monkeypatch.setattr(services, "CONTENT_DIR", content)
    monkeypatch.setattr(services, "LAUNCH_DATA", content / services.LAUNCH_DATA.name)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_launch_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    launch = PolicyVersion.objects.published().get(effective_date="2025-09-02")
    assert launch.sections.count() == 17
    assert not SectionTranslation.objects.exists()
    for column in ("heading_ko", "body_ko", "heading_zh_hans", "body_zh_hans", "heading_ja", "body_ja"):
        assert not any(launch.sections.values_list(column, flat=True)), column
    assert not (launch.summary_ko or launch.summary_zh_hans or launch.summary_ja)
