"""A `client_request`-style helper (after GOV.UK Notify's notifications-admin): every page fetched is checked.

Each HTML page is parsed by html5lib in strict mode (any parse error fails the test) and checked for its
status, `<html lang>`, a non-empty `<title>`, duplicate ids and a language link to the same page and query.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import html5lib

_PARSER = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)


@dataclass
class Page:
    """A fetched, parsed and checked page."""

    url: str
    status: int
    html: str
    doc: Element

    @property
    def title(self) -> str:
        """Return the page's <title> text, whitespace collapsed."""
        return " ".join("".join(self.doc.find("head/title").itertext()).split())

    @property
    def main(self) -> Element:
        """Return the <main> element."""
        return self.doc.find(".//main")

    def text(self, element: Element | None = None) -> str:
        """Return the visible text of an element (default <main>), whitespace collapsed."""
        return " ".join("".join((element if element is not None else self.main).itertext()).split())

    def by_id(self, element_id: str) -> Element | None:
        """Return the element with this id."""
        return self.doc.find(f".//*[@id='{element_id}']")

    def links(self) -> list[str]:
        """Return every link's href."""
        return [a.get("href") for a in self.doc.iter("a") if a.get("href")]


def parse_html(html: str) -> Element:
    """Parse a page strictly: html5lib raises on any markup error."""
    return _PARSER.parse(html)


def _language_of(url: str) -> str | None:
    first = urlsplit(url).path.strip("/").split("/", 1)[0]
    return first if first in ("en", "cy") else None


def check_page(url: str, status: int, html: str, *, lang: str | None = None, switch_to: str | None = None) -> Page:
    """Parse and check one HTML page; return it."""
    doc = parse_html(html)
    page = Page(url, status, html, doc)
    lang = lang or _language_of(url)
    assert doc.get("lang") == lang, f"{url}: <html lang={doc.get('lang')!r}>, expected {lang!r}"
    assert page.title and not page.title.startswith("–"), f"{url}: empty <title>"
    ids = Counter(element.get("id") for element in doc.iter() if element.get("id"))
    duplicates = [element_id for element_id, count in ids.items() if count > 1]
    assert not duplicates, f"{url}: duplicate ids {duplicates}"
    switch = doc.find(".//a[@id='language-switch']")
    assert switch is not None, f"{url}: no language link"
    other = "en" if lang == "cy" else "cy"
    assert switch.get("hreflang") == other
    expected = switch_to
    if expected is None:
        parts = urlsplit(url)
        rest = parts.path.split("/", 2)[2] if parts.path.count("/") >= 2 else ""
        expected = f"/{other}/{rest}" + (f"?{parts.query}" if parts.query else "")
    assert switch.get("href") == expected, f"{url}: language link {switch.get('href')!r}, expected {expected!r}"
    return page


class PageClient:
    """Fetch pages through the Flask test client and check each one."""

    def __init__(self, client):
        self.client = client

    def get(self, url: str, *, status: int = 200, switch_to: str | None = None, **kwargs) -> Page:
        """Fetch an HTML page, assert its status and check it."""
        response = self.client.get(url, **kwargs)
        assert response.status_code == status, f"{url}: {response.status_code}, expected {status}"
        assert response.mimetype == "text/html"
        return check_page(url, response.status_code, response.get_data(as_text=True), switch_to=switch_to)

    def get_both(self, path: str, *, status: int = 200) -> tuple[Page, Page]:
        """Fetch a page in English and Welsh (path without the language, e.g. "pipeline?sme=1")."""
        english = self.get(f"/en/{path}", status=status)
        welsh = self.get(f"/cy/{path}", status=status)
        assert welsh.title != english.title, f"{path}: the Welsh <title> is the English one: {welsh.title!r}"
        return english, welsh
