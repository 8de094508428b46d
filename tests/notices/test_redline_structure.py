"""The redline keeps structure (issue 11): paragraphs, numbered items, table cells, links;
it compares one language at a time; the Updates block is generated from the versions."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup

from notices import services
from notices.redline import compare_versions, diff_blocks
from notices.rendering import render_markdown
from tests.notices.test_editorial import TODAY, edit_addendum, in_force

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 3, 0, tzinfo=datetime.UTC), tick=False):
        yield


def soup(html):
    return BeautifulSoup(html, "html.parser")


def redline(old_md, new_md):
    html, changed = diff_blocks(render_markdown(old_md), render_markdown(new_md))
    return soup(html), changed


def test_a_change_in_a_table_cell_is_marked_inside_that_cell():
    table = "| Name | Purpose |\n| --- | --- |\n| Bankware Global | Sales |\n| LASCOM | Marketing support |\n"
    html, changed = redline(table, table.replace("Marketing support", "Marketing and support"))
    assert changed
    cell = html.find("table").find("ins").find_parent("td")
    assert cell is not None and "Marketing" in cell.get_text()
    assert cell.find("ins").get_text() == "[added: and ]"
    assert [th.get_text() for th in html.find_all("th")] == ["Name", "Purpose"]
    assert len(html.find_all("tr")) == 3 and html.find("tr", class_="row-changed") is not None


def test_list_items_keep_their_numbers_and_only_the_changed_item_is_marked():
    old = "Records we keep:\n\n1. Contracts\n2. Payments\n3. Complaints\n"
    html, _ = redline(old, old.replace("Payments", "Payment records"))
    items = html.find("ol").find_all("li")
    assert [li.get("value") for li in items] == ["1", "2", "3"]
    assert items[0].find("ins") is None and items[2].find("ins") is None
    assert "records" in items[1].find("ins").get_text()


@pytest.mark.parametrize("start", ["²", "x", ""])
def test_a_list_start_that_is_not_a_number_counts_from_one(start):
    # Raw HTML in the Markdown keeps its start (nh3 allows it); "²" is a digit to isdigit().
    old = f'<ol start="{start}"><li>Contracts</li><li>Payments</li></ol>\n'
    html, changed = redline(old, old.replace("Payments", "Payment records"))
    assert changed and [li.get("value") for li in html.find("ol").find_all("li")] == ["1", "2"]


def test_links_keep_their_targets_and_a_changed_target_is_a_change():
    old = "Write to [our office](mailto:dpo@example.com) today.\n"
    html, changed = redline(old, old.replace("today", "now"))
    assert changed and html.find("a")["href"] == "mailto:dpo@example.com"
    html, changed = redline(old, old.replace("dpo@", "privacy@"))
    assert changed
    assert html.find("del").find("a")["href"] == "mailto:dpo@example.com"
    assert html.find("ins").find("a")["href"] == "mailto:privacy@example.com"


def test_an_added_paragraph_leaves_its_neighbours_unmarked():
    old = "First paragraph.\n\nThird paragraph.\n"
    html, _ = redline(old, "First paragraph.\n\nA new second one.\n\nThird paragraph.\n")
    paragraphs = html.find_all("p")
    assert [bool(p.find("ins")) for p in paragraphs] == [False, True, False]


def test_a_one_word_change_in_the_korea_table_is_one_cell_of_a_real_table(client, launch_content):
    draft = services.draft_start_next()
    edit_addendum(draft, "south-korea-addendum", "| LASCOM Co., Ltd. |", "| LASCOM Co., Limited |")
    changes = {c.anchor: c for c in compare_versions(in_force(), draft, language="en")}
    assert [a for a, c in changes.items() if c.status != "unchanged"] == ["south-korea-addendum"]
    html = soup(changes["south-korea-addendum"].html)
    marks = html.find_all(["ins", "del"])
    assert {m.find_parent("td") is not None for m in marks} == {True}
    assert {m.find_parent("table") for m in marks} == {html.find_all("table")[1]}
    assert len(marks) == 2  # one word out, one in: not the whole addendum


def test_the_korean_redline_compares_the_korean_text_and_says_where_it_falls_back(untranslated_launch_content):
    base = in_force()
    draft = services.draft_start_next()
    section = draft.sections.get(anchor="first") if draft.sections.filter(anchor="first").exists() else None
    section = section or draft.sections.exclude(jurisdiction__isnull=False).order_by("order")[1]
    section.heading_ko = "가. 개인정보의 수집"
    section.body_ko = "우리는 정보를 수집합니다."
    section.save()
    changes = {c.anchor: c for c in compare_versions(base, draft, language="ko")}
    change = changes[section.anchor]
    assert "No translation in the version effective 2025-09-02" in change.note
    assert change.lang == "en" and change.status == "unchanged"
    # once both sides have Korean, the Korean text itself is compared
    newer = services.draft_start_next(source=draft)
    target = newer.sections.get(anchor=section.anchor)
    target.body_ko = "우리는 개인 정보를 수집합니다."
    target.save()
    change = {c.anchor: c for c in compare_versions(draft, newer, language="ko")}[section.anchor]
    assert change.lang == "ko" and change.status == "changed" and not change.note
    assert "개인" in soup(change.html).find("ins").get_text()


def test_the_korean_public_redline_says_once_that_untranslated_sections_are_in_english(
    client, untranslated_launch_content, django_capture_on_commit_callbacks
):
    draft = services.draft_start_next()
    draft.effective_date = TODAY + datetime.timedelta(days=2)
    draft.save()
    edit_addendum(draft, "australia-addendum", "Telephone: 1300 363 992", "Telephone: 1300 363 993")
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    html = soup(client.get(f"/ko/privacy/versions/2025-09-02/diff/{draft.effective_date.isoformat()}/").content)
    assert len(html.select(".diff-fallback")) == 1 and not html.select(".diff-note")
    assert html.find(id="diff-australia-addendum").select_one(".redline")["lang"] == "en"


def test_the_public_redline_opens_with_the_summary_and_can_filter_by_region(client, launch_content):
    draft = services.draft_start_next()
    draft.effective_date = TODAY + datetime.timedelta(days=2)
    draft.summary_en = "New Australian telephone number and Korean recipient name."
    draft.save()
    edit_addendum(draft, "australia-addendum", "Telephone: 1300 363 992", "Telephone: 1300 363 993")
    edit_addendum(draft, "south-korea-addendum", "| LASCOM Co., Ltd. |", "| LASCOM Co., Limited |")
    services.version_publish(version=draft)
    url = f"/en/privacy/versions/2025-09-02/diff/{draft.effective_date.isoformat()}/"
    full = soup(client.get(url).content)
    assert "New Australian telephone number" in full.select_one(".change-summary").get_text()
    assert full.find(id="diff-australia-addendum") and full.find(id="diff-south-korea-addendum")
    mine = soup(client.get(url + "?region=mine", HTTP_CF_IPCOUNTRY="KR").content)
    # without a trusted location every addendum applies; with GEO_TRUSTED_HEADERS it is Korea's
    assert mine.select_one(".region-filter") is not None
    # the history page's picker leads to the same redline, in either order
    response = client.get(f"/en/privacy/versions/compare/?a={draft.effective_date.isoformat()}&b=2025-09-02")
    assert response.status_code == 302 and response.headers["Location"] == url
    assert client.get("/en/privacy/versions/compare/?a=bad&b=2025-09-02").status_code == 400
    assert client.get("/en/privacy/versions/compare/?a=2024-08-30&b=2025-09-02").status_code == 404


def test_what_changed_for_my_region_shows_only_the_addenda_that_apply_there(client, launch_content, settings):
    settings.GEO_TRUSTED_HEADERS = ["cloudflare"]
    draft = services.draft_start_next()
    edit_addendum(draft, "australia-addendum", "Telephone: 1300 363 992", "Telephone: 1300 363 993")
    edit_addendum(draft, "south-korea-addendum", "| LASCOM Co., Ltd. |", "| LASCOM Co., Limited |")
    services.version_publish(version=draft)
    url = f"/en/privacy/versions/2025-09-02/diff/{draft.effective_date.isoformat()}/?region=mine"
    html = soup(client.get(url, HTTP_CF_IPCOUNTRY="KR").content)
    assert html.find(id="diff-south-korea-addendum") is not None
    assert html.find(id="diff-australia-addendum") is None
    assert client.get(url.replace("mine", "everywhere")).status_code == 400


# --- the Updates block ------------------------------------------------------------------------


def test_a_new_versions_updates_name_its_own_date_and_end_with_it(
    client, launch_content, django_capture_on_commit_callbacks
):
    launch = soup(client.get("/en/privacy/").content)
    updates = launch.find(id="updates")
    assert "This Privacy Policy will be effective from Sept. 2, 2025." in updates.get_text()
    rows = updates.find("table").find("tbody").find_all("tr")
    assert [r.find("time")["datetime"] for r in rows][-2:] == ["2025-04-22", "2025-09-02"]
    assert rows[0].find("a")["href"] == "/en/privacy/versions/2022-12-31/"
    assert [th.get_text() for th in updates.find("thead").find_all("th")] == ["No.", "Effective date", "Version"]

    draft = services.draft_start_next()
    draft.effective_date = datetime.date(2026, 12, 30)
    draft.save()
    updates = draft.sections.get(anchor="updates")
    updates.heading_ko, updates.body_ko = "업데이트", "[[updates]]"  # as the translations carry it
    updates.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    page = soup(client.get("/ko/privacy/versions/2026-12-30/").content)
    updates = page.find(id="updates")
    rows = updates.find("table").find("tbody").find_all("tr")
    assert [r.find("time")["datetime"] for r in rows][-2:] == ["2025-09-02", "2026-12-30"]
    assert [r.find("td").get_text() for r in rows][-1] == "7"
    assert rows[0].find("a")["href"] == "/ko/privacy/versions/2022-12-31/"
    assert "2026년 12월 30일" in updates.find("p").get_text()  # the Korean date, in Korean
    assert updates.get("lang") is None
    # the version it replaced still names its own date
    old = soup(client.get("/en/privacy/versions/2025-09-02/").content).find(id="updates")
    assert "Sept. 2, 2025" in old.find("p").get_text()
    assert "2026-12-30" not in str(old)
