"""Forms as a visitor uses them in Chromium: search from the home page's box, then a filter, the next page and
Welsh; search and the pipeline filters again with JavaScript switched off.

Written against the search page's stable markers only: a GET form with action /<lang>/search and a text input
named `q`, results as links to /<lang>/notice/..., checkboxes for filters, GOV.UK pagination's rel="next" link
and the header's #language-switch. A missing marker fails after a short wait, saying which one.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.dataset import CLEANING_TENDERS

pytestmark = pytest.mark.browser

QUERY = "cleaning"
# Every cleaning tender, the award and the Sell2Wales notice match: more than one page of results.
MATCHES = CLEANING_TENDERS + 2


def require(locator, what: str, timeout: float = 5000):
    """Wait for a marker the search page must have; fail saying which marker was missing."""
    try:
        locator.first.wait_for(state="attached", timeout=timeout)
        return locator
    except PlaywrightError:
        missing = f"{locator.page.url}: no {what} after {timeout / 1000:.0f} s"
    pytest.fail(f"{missing} (is /<lang>/search still the placeholder?)", pytrace=False)


def query_of(url: str) -> dict[str, list[str]]:
    """Return a URL's query string as a dict of lists."""
    return parse_qs(urlsplit(url).query)


def search_from_home(page, base: str, *, lang: str = "en") -> None:
    """Type the query into the home page's search box and submit it as a visitor would (Enter)."""
    page.goto(f"{base}/{lang}/")
    form = require(page.locator(f'form[action="/{lang}/search"]'), f"search form with action /{lang}/search").first
    box = require(form.locator('input[name="q"]'), "search box named q").first
    box.fill(QUERY)
    with page.expect_navigation():
        box.press("Enter")
    assert urlsplit(page.url).path == f"/{lang}/search"
    assert query_of(page.url).get("q") == [QUERY]


def results(page, lang: str = "en"):
    """Return the result links (links to notices inside <main>), failing when there are none."""
    return require(page.locator(f'main a[href^="/{lang}/notice/"]'), f"search results (links to /{lang}/notice/)")


def apply_first_filter(page, lang: str = "en") -> tuple[str, str]:
    """Tick the first filter checkbox in the search form, submit, and return its (name, value)."""
    form = page.locator(f'form[action="/{lang}/search"]:has(input[type="checkbox"])')
    checkbox = require(form.locator('input[type="checkbox"]'), f"filter checkbox in a form to /{lang}/search").first
    name, value = checkbox.get_attribute("name"), checkbox.get_attribute("value") or "on"
    # GOV.UK checkboxes hide the native input under a styled label: click the label, as a visitor does.
    page.locator(f'label[for="{checkbox.get_attribute("id")}"]').click()
    assert checkbox.is_checked()
    submit = require(
        form.first.locator('button[type="submit"], button:not([type]), input[type="submit"]'),
        "submit button in the filter form",
    )
    with page.expect_navigation():
        submit.first.click()
    return name, value


def test_search_filter_page_and_switch_language(live_server, page):
    search_from_home(page, live_server.url)
    assert results(page).count() > 0
    assert page.locator('input[name="q"]').first.input_value() == QUERY

    name, value = apply_first_filter(page)
    params = query_of(page.url)
    assert params.get("q") == [QUERY], f"the filter form dropped the query: {page.url}"
    assert value in params.get(name, []), f"the filter {name}={value} is not in {page.url}"
    assert page.locator(f'input[type="checkbox"][name="{name}"][value="{value}"]').first.is_checked()

    # Back to the unfiltered results, which hold more than one page, and on to the next page.
    page.goto(live_server.at(f"/en/search?q={QUERY}"))
    first_page = set(results(page).evaluate_all("links => links.map(a => a.getAttribute('href'))"))
    next_link = require(page.locator('a[rel="next"]'), f"next-page link (rel=next) for {MATCHES} matches")
    with page.expect_navigation():
        next_link.first.click()
    assert query_of(page.url).get("q") == [QUERY]
    second_page = set(results(page).evaluate_all("links => links.map(a => a.getAttribute('href'))"))
    assert second_page and not second_page & first_page, "page 2 repeats page 1's results"

    before = urlsplit(page.url)
    with page.expect_navigation():
        page.locator("#language-switch").click()
    after = urlsplit(page.url)
    assert page.get_attribute("html", "lang") == "cy"
    assert after.path == "/cy/search", page.url
    assert parse_qs(after.query) == parse_qs(before.query), f"{before.query!r} became {after.query!r}"
    assert page.locator('input[name="q"]').first.input_value() == QUERY
    assert results(page, "cy").count() > 0


def test_search_and_filter_work_without_javascript(live_server, page_without_js):
    page = page_without_js
    search_from_home(page, live_server.url, lang="cy")
    assert page.get_attribute("html", "lang") == "cy"
    assert results(page, "cy").count() > 0
    name, value = apply_first_filter(page, "cy")
    params = query_of(page.url)
    assert params.get("q") == [QUERY] and value in params.get(name, []), page.url
    assert page.locator(f'input[type="checkbox"][name="{name}"][value="{value}"]').first.is_checked()


def test_pipeline_filters_work_without_javascript(live_server, page_without_js):
    page = page_without_js
    page.goto(live_server.at("/en/pipeline"))
    form = page.locator('form[action="/en/pipeline"]')
    form.locator('label[for="wales"]').click()
    form.locator('select[name="region"]').select_option("UKL")
    with page.expect_navigation():
        form.locator("button").click()
    assert query_of(page.url) == {"region": ["UKL"], "wales": ["y"]}, page.url
    assert page.locator('input[name="wales"]').is_checked()
