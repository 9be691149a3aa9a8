"""The search page on a phone (390 × 844, an iPhone 12 to 15) and on a desktop, in both languages.

On a phone the first result must be above the fold: the filters are a "Show filters" button with JavaScript and
a closed <details> without it. On a desktop they are a column beside the results either way. Each state is
checked by axe-core and screenshotted to test-artefacts/screenshots/search-<state>-<lang>.png for a person to
look at.
"""

from __future__ import annotations

import pytest

from tests.browser.page_list import LANGUAGES
from tests.browser.test_browser_pages import describe, run_axe

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SEARCH = "search?q=cleaning"
FIRST_RESULT = "#results .piblinell-card"


@pytest.fixture
def open_page(browser):
    """Return a function that opens a page in a new context (viewport, JavaScript on or off); closes them all."""
    contexts = []

    def open_(url: str, viewport: dict, *, javascript: bool = True, enhance: bool = True):
        # bypass_csp: axe-core is injected as an inline script, which the portal's policy refuses (the filters'
        # own script is checked under the policy below).
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript, bypass_csp=True)
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        if not enhance:
            # The page as a visitor without JavaScript gets it, but with scripting left on for axe-core.
            page.route("**/search-filters.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        if javascript and enhance:
            page.wait_for_selector("#filter-toggle", state="attached")  # search-filters.js has run
        return page

    yield open_
    for context in contexts:
        context.close()


def top_of(page, selector: str) -> float:
    """Return an element's top edge in CSS pixels from the top of the page."""
    return page.eval_on_selector(selector, "element => element.getBoundingClientRect().top + window.scrollY")


def assert_accessible(page, what: str) -> None:
    violations = run_axe(page)
    assert not violations, f"{what}: axe found {len(violations)} violation(s):\n{describe(violations)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_on_a_phone_the_first_result_is_above_the_fold_and_the_filters_open_from_a_button(
    live_server, open_page, screenshots_dir, lang
):
    page = open_page(live_server.at(f"/{lang}/{SEARCH}"), PHONE)
    assert top_of(page, FIRST_RESULT) < PHONE["height"], "the first result is below the fold"
    toggle, panel = page.locator("#filter-toggle"), page.locator("#filter-panel")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "filter-panel"
    assert not panel.is_visible() and page.locator("#filter-details > summary").count() == 0
    # The sort sits with the result count, above the results.
    assert top_of(page, "#sort") < top_of(page, FIRST_RESULT)
    page.screenshot(path=screenshots_dir / f"search-phone-fold-{lang}.png")  # what the phone shows first
    page.screenshot(path=screenshots_dir / f"search-phone-{lang}.png", full_page=True)
    assert_accessible(page, f"{lang} phone, filters hidden")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and panel.is_visible()
    assert page.locator("#apply-filters").is_visible()
    panel.screenshot(path=screenshots_dir / f"search-phone-filters-{lang}.png")
    assert_accessible(page, f"{lang} phone, filters shown")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false" and not panel.is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_on_a_phone_without_javascript_the_filters_are_a_details(live_server, open_page, screenshots_dir, lang):
    page = open_page(live_server.at(f"/{lang}/{SEARCH}"), PHONE, javascript=False)
    assert top_of(page, FIRST_RESULT) < PHONE["height"], "the first result is below the fold"
    summary, panel = page.locator("#filter-details > summary"), page.locator("#filter-panel")
    assert summary.is_visible() and not panel.is_visible()
    page.screenshot(path=screenshots_dir / f"search-phone-nojs-{lang}.png")

    summary.click()
    assert panel.is_visible()
    page.locator('label[for="filter-stage-4"]').click()  # Open
    with page.expect_navigation():
        page.locator("#apply-filters").click()
    assert "stage=open" in page.url and "q=cleaning" in page.url
    assert top_of(page, FIRST_RESULT) < PHONE["height"]
    assert page.locator("#filter-details > summary").inner_text().endswith(")")  # "(1 selected)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_filters_details_is_accessible(live_server, open_page, lang):
    # axe-core needs scripting, so the page is served without search-filters.js instead: the no-JavaScript markup.
    page = open_page(live_server.at(f"/{lang}/{SEARCH}&region=UKL22"), PHONE, enhance=False)
    assert_accessible(page, f"{lang} phone, filters as a closed details")
    page.locator("#filter-details > summary").click()
    assert page.locator("#wales-areas").get_attribute("open") is not None  # a Welsh area is ticked
    assert_accessible(page, f"{lang} phone, filters as an open details")
    page = open_page(live_server.at(f"/{lang}/{SEARCH}"), DESKTOP, enhance=False)
    assert page.locator("#filter-panel").is_visible()  # a column, opened by the CSS
    assert_accessible(page, f"{lang} desktop, filters as a details shown as a column")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_on_a_desktop_the_filters_are_a_column_beside_the_results(live_server, open_page, screenshots_dir, javascript):
    page = open_page(live_server.at(f"/en/{SEARCH}"), DESKTOP, javascript=javascript)
    panel = page.locator("#filter-panel")
    assert panel.is_visible(), "the filters are hidden on a desktop"
    assert page.locator("#filter-toggle, #filter-details > summary").first.is_hidden()
    filters, results = page.locator("#filters").bounding_box(), page.locator("#results").bounding_box()
    assert filters["x"] + filters["width"] <= results["x"] and abs(filters["y"] - results["y"]) < 1
    assert top_of(page, FIRST_RESULT) < DESKTOP["height"]
    page.screenshot(path=screenshots_dir / f"search-desktop-{'js' if javascript else 'nojs'}-fold-en.png")


def test_the_filters_follow_the_window_across_the_breakpoint(live_server, open_page):
    page = open_page(live_server.at(f"/cy/{SEARCH}"), PHONE)
    toggle, panel = page.locator("#filter-toggle"), page.locator("#filter-panel")
    assert not panel.is_visible()
    page.set_viewport_size(DESKTOP)
    page.wait_for_function("() => !document.querySelector('#filter-toggle').checkVisibility()")
    assert panel.is_visible() and toggle.is_hidden()
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.querySelector('#filter-toggle').checkVisibility()")
    assert not panel.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.inner_text() == "Dangos hidlwyr"


def test_the_filters_script_runs_under_the_content_security_policy(live_server, browser):
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        refused = []
        page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
        page.goto(live_server.at(f"/en/{SEARCH}"))
        page.locator("#filter-toggle").click()
        assert page.locator("#filter-panel").is_visible() and not refused, refused
    finally:
        context.close()


def test_the_search_box_stops_at_what_the_index_reads(live_server, open_page):
    page = open_page(live_server.at(f"/en/{SEARCH}"), PHONE)
    box = page.locator('input[name="q"]')
    box.fill("")
    box.press_sequentially("x" * 510, delay=0)
    assert len(box.input_value()) == int(box.get_attribute("maxlength")) == 500
