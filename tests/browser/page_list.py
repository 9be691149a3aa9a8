"""The pages every browser check visits, in both languages, and how to reach them on the live server."""

from __future__ import annotations

LANGUAGES = ("en", "cy")
# name -> path template, filled from the LiveServer's ids.
PAGES = {
    "home": "",
    "search": "search?q=cleaning",
    "notice": "notice/{server.notice_ocid}",
    "pipeline": "pipeline",
    "buyer": "buyer/{server.buyer_id}",
}
PAGE_PARAMS = [(name, lang) for name in PAGES for lang in LANGUAGES]
PAGE_IDS = [f"{name}-{lang}" for name, lang in PAGE_PARAMS]


def page_url(server, name: str, lang: str) -> str:
    """Return the absolute URL of a named page in a language."""
    return server.at(f"/{lang}/" + PAGES[name].format(server=server))
