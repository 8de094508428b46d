"""Where issue 11's editors meet issue 16's translation status: only a translation really
written is recorded as made from the current English; saving the English leaves the others
outdated, so the public pages show English there instead of stale text as current."""

import pytest
from django.contrib.auth.models import Group, User

from notices import services, translation_status
from notices.models import SectionTranslation

from .test_workspace import form_of, url

pytestmark = pytest.mark.django_db
ANCHOR = "south-korea-addendum"


@pytest.fixture
def editor(db):
    user = User.objects.create_user("lawyer", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Legal editors"))
    return user


def state(draft, language):
    section = draft.sections.get(anchor=ANCHOR)
    record = SectionTranslation.objects.filter(section=section, language=language).first()
    return translation_status.section_state(section, language, record)


def test_saving_the_english_outdates_the_translations_and_saving_one_makes_it_current(client, launch_content, editor):
    draft = services.draft_start_next()
    client.force_login(editor)
    assert {state(draft, lang) for lang in ("ko", "zh-hans", "ja")} == {translation_status.CURRENT}

    data = form_of(client.get(url(draft, section=ANCHOR, language="en")))
    data["body"] = data["body"].replace("| LASCOM Co., Ltd. |", "| LASCOM Co., Limited |").replace("\n", "\r\n")
    assert client.post(url(draft), data).status_code == 302
    assert {state(draft, lang) for lang in ("ko", "zh-hans", "ja")} == {translation_status.OUTDATED}

    # Saving the Korean again unchanged (as a browser posts it: CRLF) vouches for nothing.
    data = form_of(client.get(url(draft, section=ANCHOR, language="ko")))
    data["body"] = data["body"].replace("\n", "\r\n")
    assert client.post(url(draft), data).status_code == 302
    assert state(draft, "ko") == translation_status.OUTDATED

    # A translator's real edit in Korean is recorded against the English as it stands now.
    data = form_of(client.get(url(draft, section=ANCHOR, language="ko")))
    data["heading"] = "대한민국 부록"
    assert client.post(url(draft), data).status_code == 302
    assert state(draft, "ko") == translation_status.CURRENT
    assert SectionTranslation.objects.get(section__version=draft, section__anchor=ANCHOR, language="ko").how == "edited"
    assert state(draft, "ja") == translation_status.OUTDATED


def test_a_translation_that_breaks_the_english_structure_is_refused_and_nothing_is_saved(
    client, launch_content, editor
):
    draft = services.draft_start_next()
    client.force_login(editor)
    before = draft.sections.get(anchor=ANCHOR).body_ko
    data = form_of(client.get(url(draft, section=ANCHOR, language="ko")))
    data["body"] = "표가 없는 짧은 번역."
    response = client.post(url(draft), data)
    assert response.status_code == 400
    assert draft.sections.get(anchor=ANCHOR).body_ko == before
    assert "표가 없는 짧은 번역." in response.content.decode()  # the text stays on screen
