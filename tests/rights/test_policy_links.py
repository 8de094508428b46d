"""Policy links that act: site: destinations resolve per language; dead "click here" is refused."""

import re

import pytest
from django.utils import timezone

from notices import services
from notices.models import PolicyVersion, Section
from notices.source import PolicySourceError, parse_policy_text

from .conftest import soup

pytestmark = pytest.mark.django_db
HERE_RE = re.compile(r"^(click(ing)? )?here\b", re.IGNORECASE)
SEED_EXTERNAL = {"https://feedback-form.truste.com/watchdog/request"}


def here_links(page) -> list[tuple[str, str]]:
    """(section anchor, href) of each English "click here"/"here" link."""
    return [
        (a.find_parent("section", class_="policy-section")["id"], a.get("href"))
        for a in soup(page).select(".policy-section a")
        if HERE_RE.match(" ".join(a.get_text().split()))
    ]


def in_language(href: str, language: str) -> str:
    return f"/{language}/{href[len('/en/') :]}" if href.startswith("/en/") else href


def section_links(page, anchor: str) -> set[str]:
    return {a.get("href") for a in soup(page).select(f"section.policy-section#{anchor} a")}


@pytest.mark.parametrize("language", ["en", "ko", "zh-hans", "ja"])
def test_every_click_here_link_leads_to_a_page_in_the_pages_language(launch_content, cookie_groups, client, language):
    # The translations word "click here" in their own language, so the English page names the links
    # (by section and destination) and the translated page must carry each one, in the same section,
    # pointing at its own language's version of that destination.
    english = client.get("/en/privacy/?jurisdiction=all")
    page = client.get(f"/{language}/privacy/?jurisdiction=all")
    assert page.status_code == 200
    assert soup(page).html["lang"].lower() == language
    wanted = sorted({(anchor, in_language(href, language)) for anchor, href in here_links(english)})
    # The B withdrawal, the H portability and submission links, and H's dispute resolution provider.
    assert len(wanted) == 4, wanted
    for anchor, href in wanted:
        assert href, "a 'click here' that links nowhere"
        assert href in section_links(page, anchor), (anchor, href)
        if href in SEED_EXTERNAL:
            continue
        assert href.startswith(f"/{language}/"), href
        target = client.get(href)
        assert target.status_code == 200, href
        assert soup(target).html["lang"].lower() == language, href
    hrefs = {href for _, href in wanted}
    assert f"/{language}/privacy/requests/?type=portability" in hrefs
    assert f"/{language}/cookies/#withdraw" in hrefs


def test_cross_references_become_anchors_of_the_same_page(launch_content, client):
    page = soup(client.get("/en/privacy/?jurisdiction=all"))
    section_h = page.find("a", string="Section H")
    assert section_h["href"] == "#access-and-contact"
    assert page.find(id="access-and-contact")
    assert not page.select('a[href^="site:"]')


def _text(body: str) -> str:
    return f"---\neffective_date: 2030-01-01\nmaterial: false\n---\n\n## First {{#first}}\n\n{body}\n"


@pytest.mark.parametrize(
    "body,message",
    [
        ("Submit it [here](site:nowhere).", "unknown site destination"),
        ("See [Section Z](site:section/zzz).", "unknown site destination"),
        ("Submit it by clicking here.", "links nowhere"),
        ("Submit it [here]().", "links nowhere"),
        ("Submit it [click here](javascript:alert(1)).", "links nowhere"),
    ],
)
def test_import_refuses_unknown_destinations_and_dead_phrases(body, message):
    with pytest.raises(PolicySourceError, match=f"section 'first'.*{message}"):
        parse_policy_text(_text(body))


def test_import_accepts_known_destinations():
    parsed = parse_policy_text(_text("[Clicking here](site:requests?type=portability) or [F](site:section/first)."))
    assert parsed.sections[0].anchor == "first"


def test_publish_refuses_a_draft_with_a_dead_link_naming_the_section(launch_content):
    draft = PolicyVersion.objects.create(effective_date=timezone.now().date().replace(year=2031))
    Section.objects.create(
        version=draft, order=1, anchor="rights", heading="Your rights", body="Ask [here](site:bogus)."
    )
    Section.objects.create(version=draft, order=2, anchor="more", heading="More", body="Or by clicking here.")
    problems = services.publish_problems(draft)
    assert any("Your rights" in p and "unknown destination" in p for p in problems)
    assert any("More" in p and "linking nowhere" in p for p in problems)
    with pytest.raises(services.PublishRefused):
        services.version_publish(version=draft)
