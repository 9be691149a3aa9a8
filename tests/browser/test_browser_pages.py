"""The main pages in both languages, in real Chromium: GOV.UK styling loads, a full-page screenshot is saved for a
person to look at, and axe-core finds no WCAG 2.2 AA violation.

One visit per page does all three, to keep the run short. Screenshots go to
test-artefacts/screenshots/<page>-<lang>.png (git-ignored); each run overwrites the last.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.page_list import PAGE_IDS, PAGE_PARAMS, PAGES, page_url

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    # Full node lists for violations only: the passes are not read, and listing them doubles the run.
    "resultTypes": ["violations"],
}
STYLED = """() => document.fonts.ready.then(() => ({
  fontFamily: getComputedStyle(document.querySelector("h1")).fontFamily,
  fontFaces: document.fonts.size,
  stylesheets: [...document.styleSheets].map(sheet => sheet.href && new URL(sheet.href).pathname),
}))"""


def describe(violations: list[dict]) -> str:
    """Return axe's violations as readable lines: rule, impact, help and each failing element."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} – {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    """Inject axe-core into the page and return its violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make assets` (npm ci installs axe-core)", pytrace=False)
    page.add_script_tag(path=str(AXE))
    return page.evaluate("options => axe.run(document, options).then(results => results.violations)", AXE_OPTIONS)


@pytest.mark.parametrize(("name", "lang"), PAGE_PARAMS, ids=PAGE_IDS)
def test_page_is_styled_and_accessible(live_server, audit_page, screenshots_dir, name, lang):
    failed, dialogs = [], []
    # The dataset's hostile title carries <script>alert(...)</script>: shown as text, it never runs.
    audit_page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
    # Chromium asks for /favicon.ico on its own; the portal has none (base.html empties headIcons).
    audit_page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and failed.append(r.url))
    url = page_url(live_server, name, lang)
    response = audit_page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    assert audit_page.get_attribute("html", "lang") == lang

    styled = audit_page.evaluate(STYLED)
    audit_page.screenshot(path=screenshots_dir / f"{name}-{lang}.png", full_page=True)
    assert "/static/govuk/govuk-frontend.min.css" in styled["stylesheets"], f"{url}: {styled}"
    # our system font stack, never GDS Transport (for GOV.UK services only), and no web font downloaded
    assert styled["fontFamily"].startswith("system-ui") and styled["fontFaces"] == 0, f"{url}: font {styled}"
    assert not failed, f"{url}: failed requests {failed}"
    assert not dialogs, f"{url}: notice text ran as script: {dialogs}"

    violations = run_axe(audit_page)
    assert not violations, f"{url}: axe found {len(violations)} violation(s):\n{describe(violations)}"


def test_axe_reports_a_known_violation(audit_page):
    # A canary: an image without alt text must be caught, so a silent axe can never pass the pages above.
    audit_page.set_content('<!DOCTYPE html><html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert "image-alt" in {violation["id"] for violation in run_axe(audit_page)}


# Links to notices published only in English (every Find a Tender notice in the dataset) and the language the
# browser (and so a screen reader) takes them to be in: the nearest lang attribute.
ENGLISH_ONLY_TITLES = """() => [...document.querySelectorAll('main a[href*="/notice/ocds-h6vhtk-"]')]
  .map(a => ({title: a.textContent.trim(), lang: a.closest('[lang]').getAttribute('lang')}))"""


def test_english_titles_on_welsh_pages_are_marked_english(live_server, audit_page):
    # WCAG 2.2 SC 3.1.2 Language of Parts (AA), which axe-core cannot judge: an English title on a Welsh page
    # needs lang="en", or a screen reader reads it with Welsh pronunciation.
    offenders = {}
    for name in PAGES:
        url = page_url(live_server, name, "cy")
        audit_page.goto(url, wait_until="domcontentloaded")
        titles = audit_page.evaluate(ENGLISH_ONLY_TITLES)
        wrong = sorted({t["title"][:40] for t in titles if t["lang"] != "en"})
        if wrong:
            offenders[name] = f"{len(wrong)} title(s) without lang=en, e.g. {wrong[:2]}"
    assert not offenders, f'SC 3.1.2: English titles on /cy/ pages without lang="en": {offenders}'
