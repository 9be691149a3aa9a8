"""The "Digital, data and technology" lens on the real recorded notices: one click from home, the search page
and the pipeline, shown as a filter with its count, keeping exactly the notices with a digital CPV code or word."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from portal.collect.importer import import_paths
from portal.db import session_scope
from portal.models.tables import Procurement
from portal.search.indexing import rebuild_index
from search_index.lenses import LENSES
from tests.pages import PageClient
from tests.realdata import recorded_files

DIGITAL = LENSES["digital"]
WORDS = re.compile(r"\b(softwar|digital|cloud|website|cyber|broadband|meddalwedd|digidol|cwmwl|gwefan)", re.I)
ACRONYMS = re.compile(r"\b(IT|ICT|TG|TGCh)\b")


@pytest.fixture
def pages(app, client):
    paths = recorded_files(sell2wales=False)
    with app.app_context():
        import_paths(paths)
        rebuild_index()
    return PageClient(client)


def _digital_code(procurement: Procurement) -> bool:
    codes = [procurement.main_cpv or ""] + [c.get("code") or "" for c in procurement.cpv or []]
    return any(code.startswith(DIGITAL.cpv) for code in codes)


def test_the_lens_keeps_digital_work_and_counts_it(app, client, pages):
    body = client.get("/api/v1/notices?lens=digital&per_page=100").get_json()
    assert 20 < body["total"] < 300, body["total"]
    with app.app_context(), session_scope() as session:
        by_ocid = {p.ocid: p for p in session.exec(select(Procurement))}
        digital = {ocid for ocid, p in by_ocid.items() if _digital_code(p)}
    found = {result["ocid"] for result in body["results"]}
    for ocid in found:  # each has a digital code, or a digital word in its own text
        p = by_ocid[ocid]
        labels = [c.get("label") or "" for c in p.cpv or []]  # words in a CPV code's label count too
        text = " ".join(filter(None, (p.title, p.description, p.title_cy, p.description_cy, *labels)))
        assert ocid in digital or WORDS.search(text) or ACRONYMS.search(text), ocid
    total = body["total"]
    assert digital <= found or total > 100  # every notice with a digital code is in the lens
    english, welsh = pages.get("/en/search"), pages.get("/cy/search")
    assert f"{total} notices" in english.text(english.by_id("filter-lens")) or str(total) in english.text()
    assert "Digidol, data a thechnoleg" in welsh.text()
    assert pages.get("/en/search?lens=digital").text(pages.get("/en/search?lens=digital").by_id("result-count"))
    assert client.get("/api/v1/notices?lens=nonsense").get_json()["problems"] == [
        {"parameter": "lens", "code": "not_understood"}
    ]


def test_one_click_from_home_and_the_pipeline(pages):
    home = pages.get("/cy/")
    assert any("lens=digital" in link for link in home.links())
    pipeline = pages.get("/en/pipeline?lens=digital")
    assert "Showing digital, data and technology work." in pipeline.text()
    assert any(link.endswith("/en/pipeline?lens=digital") for link in pages.get("/en/pipeline").links())
