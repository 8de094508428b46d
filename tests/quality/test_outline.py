"""The policy's display: subsection ids for the contents, tables in scroll boxes, lists in cells."""

from bs4 import BeautifulSoup

from notices.outline import outline


def test_subsections_get_ids_and_the_words_stay():
    html, subs = outline("kr", "<p>Intro</p><h3>Your <em>Rights</em></h3><p>x</p><h3>CONTACT</h3>")
    assert [(s.anchor, s.heading) for s in subs] == [("kr-1", "Your Rights"), ("kr-2", "CONTACT")]
    assert '<h3 id="kr-1">Your <em>Rights</em></h3>' in html and '<h3 id="kr-2">CONTACT</h3>' in html


def test_lines_in_a_cell_become_a_list_and_a_parenthesis_stays_with_its_line():
    cell = "<td>Registration<br>(Mandatory Consent)</td><td>One<br>Two<br>Three</td><td>Alone</td>"
    html, _ = outline("a", f"<table><tbody><tr>{cell}</tr></tbody></table>", "A. DATA")
    page = BeautifulSoup(html, "html.parser")
    cells = page.find_all("td")
    assert cells[0].find("ul") is None and cells[0].get_text() == "Registration(Mandatory Consent)"
    assert [li.get_text() for li in cells[1].select("ul.cell-list > li")] == ["One", "Two", "Three"]
    assert cells[2].get_text() == "Alone"
    box = page.select_one("div.table-scroll")
    assert box["role"] == "region" and box["tabindex"] == "0" and "A. DATA" in box["aria-label"]


def test_the_policy_shows_lists_in_cells(client, launch_content):
    page = BeautifulSoup(client.get("/en/privacy/?jurisdiction=kr").content, "html.parser")
    lists = page.select("#south-korea-addendum td ul.cell-list")
    assert lists and max(len(ul.find_all("li")) for ul in lists) >= 3
    # No cell still runs its items together with bare line breaks between list items.
    for td in page.select("#south-korea-addendum td"):
        lines = [line for line in td.decode_contents().split("<br/>") if line.strip()]
        assert len(lines) <= 2 or td.find("ul")
