"""A legal editor's whole flow in the admin, in a real browser."""

import io
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from core import cache
from notices import selectors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server):
    # A flush by an earlier transactional test empties what data migrations created.
    import_module("notices.migrations.0004_editor_groups").create_groups(apps, None)
    call_command("load_launch_content", stdout=io.StringIO())
    cache.bump()
    user = User.objects.create_user("legal", password="a long and careful passphrase", is_staff=True)
    user.groups.add(Group.objects.get(name="Legal publishers"))
    return live_server.url


def test_start_edit_preview_publish_and_see_the_redline(page, site, settings):
    # One person drafts and publishes: the small-team setting (four eyes is the default,
    # driven in test_workspace_flow).
    settings.NOTICES_ONE_PERSON_PUBLISHING = True
    today = selectors.legal_today().isoformat()
    page.goto(f"{site}/admin/login/?next=/admin/notices/policyversion/")
    page.fill("#id_username", "legal")
    page.fill("#id_password", "a long and careful passphrase")
    page.click("input[type=submit]")

    page.click("text=Start next version")
    page.wait_for_selector("text=A new draft was started from the version effective 2025-09-02")
    change_url = page.url

    # change one sentence of the Australian addendum (English tab)
    body = page.locator("textarea[name$='-body_en']").filter(has_text="Office of the Australian Information")
    text = body.input_value()
    assert "Telephone: 1300 363 992" in text
    body.fill(text.replace("Telephone: 1300 363 992", "Telephone: 1300 363 993"))
    page.click("input[name=_continue]")
    page.wait_for_selector("text=was changed successfully")

    # preview it as that region
    page.goto(change_url.replace("/change/", "/preview/") + "?jurisdiction=au&language=en")
    assert page.locator(".preview-banner").is_visible()
    addenda = page.locator("article section.addendum")
    assert addenda.count() == 1
    assert "Telephone: 1300 363 993" in addenda.first.inner_text()

    # publish
    page.goto(change_url)
    page.click("text=Publish…")
    # The addendum's translations were made from the old English: saving the English left them
    # outdated (not silently "up to date"), so the publisher must choose English for that section.
    problems = page.locator(".translation-problems").inner_text()
    assert problems.count("1 of 17 sections would be shown in English") == 3, problems
    assert problems.count("AUSTRALIA ADDENDUM — outdated") == 3, problems
    page.click("input[type=submit][value=Publish]")  # the browser refuses: the choice is required
    assert "/publish/" in page.url
    page.check("input[name=translations]")
    page.click("input[type=submit][value=Publish]")
    page.wait_for_selector(f"text=Published. The version takes effect on {today}.")

    # the public redline shows the change, word by word
    page.goto(f"{site}/en/privacy/versions/")
    page.click(f"a[href='/en/privacy/versions/2025-09-02/diff/{today}/']")
    assert page.locator(".redline-summary li").all_inner_texts() == ["AUSTRALIA ADDENDUM (Australia) — Changed"]
    section = page.locator("#diff-australia-addendum")
    assert section.locator("del").text_content() == "[removed: 992]"
    assert section.locator("ins").text_content() == "[added: 993]"
    # and the policy in force is the new one, with the new text
    page.goto(f"{site}/en/privacy/?jurisdiction=au")
    assert page.locator("time").first.get_attribute("datetime") == today
    assert "Telephone: 1300 363 993" in page.locator("article section.addendum").first.inner_text()
    # which keeps its permanent address, while the version it replaced keeps the old text
    page.goto(f"{site}/en/privacy/versions/{today}/?jurisdiction=au")
    assert "Telephone: 1300 363 993" in page.locator("article section.addendum").first.inner_text()
    page.goto(f"{site}/en/privacy/versions/2025-09-02/?jurisdiction=au")
    assert "Telephone: 1300 363 992" in page.locator("article section.addendum").first.inner_text()
