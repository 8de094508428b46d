"""Issue 11 in a real browser: a legal editor drafts a change in the workspace and requests
publication; a different publisher approves and publishes it; the public redline shows it."""

import datetime
import io
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from core import cache
from notices import selectors
from notices.models import PolicyVersion

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long and careful passphrase"


@pytest.fixture
def site(live_server):
    import_module("notices.migrations.0004_editor_groups").create_groups(apps, None)
    import_module("subscriptions.migrations.0004_withdrawal_corrections").grant_publishers(apps, None)
    call_command("load_launch_content", stdout=io.StringIO())
    cache.bump()
    for name, group in (("lawyer", "Legal editors"), ("approver", "Legal publishers")):
        user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
    return live_server.url


def log_in(page, site, name, next_path):
    page.goto(f"{site}/admin/login/?next={next_path}")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def one_section_tall(page):
    """The workspace never makes the editor scroll past more than one section's worth."""
    assert page.locator("textarea").count() == 1
    height, viewport = page.evaluate("[document.documentElement.scrollHeight, window.innerHeight]")
    assert height <= 2 * viewport, (height, viewport)


def save(page):
    page.locator(".workspace-save").first.locator("input[name=_save]").click()
    page.wait_for_selector(".messagelist >> text=Saved.")


def test_edit_in_the_workspace_request_publication_and_another_publisher_publishes(page, site):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, site, "lawyer", "/admin/notices/policyversion/")
    page.click("text=Start next version")
    page.wait_for_selector("text=A new draft was started from the version effective 2025-09-02")
    page.click("text=Edit section by section")
    draft = PolicyVersion.objects.drafts().get()

    # Section A: one more sentence; the preview beside the editor follows the typing.
    page.click(".workspace-sections >> text=A. COLLECTION OF PERSONAL DATA")
    one_section_tall(page)
    body = page.locator("#id_body")
    body.fill(body.input_value() + "\n\nWe also collect the time zone your browser reports.")
    page.wait_for_selector("#workspace-rendered >> text=We also collect the time zone your browser reports.")
    save(page)

    # The Korea addendum: one word in a table cell; its tables are previewed as tables.
    page.click(".workspace-sections >> text=SOUTH KOREA ADDENDUM")
    one_section_tall(page)
    assert page.locator("#workspace-rendered table").count() == 4
    body = page.locator("#id_body")
    body.fill(body.input_value().replace("| LASCOM Co., Ltd. |", "| LASCOM Co., Limited |"))
    save(page)

    # A Korean heading: one language switch for the whole page.
    page.select_option("#workspace-language", "ko")
    page.click(".workspace-language button")
    page.fill("#id_heading", "대한민국 부록")
    save(page)
    assert page.locator("#workspace-language").input_value() == "ko"

    # Date, material change and summary: a material draft moves to its earliest valid date.
    page.select_option("#workspace-language", "en")
    page.click(".workspace-language button")
    page.click(".workspace-sections >> text=Date, material change and summary")
    page.check("#id_material")
    page.fill("#id_summary", "We collect your browser's time zone; a Korean recipient's name is corrected.")
    save(page)
    earliest = selectors.legal_today() + datetime.timedelta(days=30)
    assert page.locator("#id_effective_date").input_value() == earliest.isoformat()
    assert page.locator(".draft-warnings").count() == 0  # nothing stops publishing any more

    # Preview the whole version in Korean, as a visitor in Korea would read it.
    page.goto(f"{site}/admin/notices/policyversion/{draft.pk}/preview/?language=ko&jurisdiction=kr")
    assert "대한민국 부록" in page.locator("article section.addendum").first.inner_text()

    # Request publication; the editor has no Publish button.
    page.goto(f"{site}/admin/notices/policyversion/{draft.pk}/publish/")
    assert page.locator("input[value=Publish]").count() == 0
    page.click("input[value='Request publication']")
    page.wait_for_selector("text=Publication requested: another publisher can now approve and publish it.")

    # Another publisher approves and publishes, seeing the summaries and who will be emailed.
    page.context.clear_cookies()
    log_in(page, site, "approver", f"/admin/notices/policyversion/{draft.pk}/publish/")
    page.wait_for_selector("text=Publication requested by lawyer")
    summaries = page.locator(".publish-summaries").inner_text()
    assert "We collect your browser's time zone" in summaries and "Missing" in summaries
    changed = page.locator(".publish-changes li").all_inner_texts()
    assert changed == [
        "A. COLLECTION OF PERSONAL DATA — Changed",
        "SOUTH KOREA ADDENDUM (South Korea) — Changed",
    ]
    # Section A's new sentence is not translated yet: the approver publishes it in English there.
    # The Korea addendum's Korean was saved after its English, so only its other languages lag.
    problems = page.locator(".translation-problems").inner_text()
    assert problems.count("A. COLLECTION OF PERSONAL DATA — outdated") == 3, problems
    assert problems.count("SOUTH KOREA ADDENDUM — outdated") == 2, problems
    assert problems.count("1 of 17 sections would be shown in English") == 1, problems  # ko
    assert problems.count("2 of 17 sections would be shown in English") == 2, problems  # zh-hans, ja
    page.check("input[name=translations]")
    page.click("input[type=submit][value=Publish]")
    page.wait_for_selector(f"text=Published. The version takes effect on {earliest.isoformat()}.")
    history = page.locator(".version-events").inner_text()
    assert re.search(r"Publication requested\s+lawyer", history)
    assert re.search(r"Approved and published\s+approver", history)
    page.click(".follow-ups a")  # the campaign, which publishers may now follow
    assert "Change notice for" in page.locator("#content").inner_text()

    # The public redline marks the word inside its cell of a real table.
    page.goto(f"{site}/en/privacy/versions/2025-09-02/diff/{earliest.isoformat()}/")
    korea = page.locator("#diff-south-korea-addendum")
    assert korea.locator("table td ins").first.text_content() == "[added: Limited]"
    assert korea.locator("table td del").first.text_content() == "[removed: Ltd.]"
    assert "time zone your browser reports" in page.locator("#diff-collection ins").first.text_content()


def test_the_workspace_and_the_redline_fit_a_320px_screen_without_javascript(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, site, "lawyer", "/admin/notices/policyversion/")
        page.click("text=Start next version")
        draft = PolicyVersion.objects.drafts().get()
        page.goto(f"{site}/admin/notices/policyversion/{draft.pk}/workspace/?section=australia-addendum&language=en")
        editor = page.locator("#id_body").bounding_box()
        assert editor["x"] >= 0 and editor["x"] + editor["width"] <= 320
        body = page.locator("#id_body")
        body.fill(body.input_value().replace("1300 363 992", "1300 363 993"))
        page.locator("input[name=_preview]").first.click()  # without JavaScript: posted, not saved
        assert "1300 363 993" in page.locator("#workspace-rendered").inner_text()
        page.locator("input[name=_save]").first.click()
        page.wait_for_selector(".messagelist >> text=Saved.")
        assert "1300 363 993" in draft.sections.get(anchor="australia-addendum").body_en
    finally:
        context.close()
