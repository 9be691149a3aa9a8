"""The Welsh catalogue is complete and keeps six plural forms; Welsh pages format dates and counts in Welsh."""

from __future__ import annotations

from datetime import timedelta

from babel.messages.pofile import read_po
from flask import url_for
from flask_babel import force_locale

from portal import translate
from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.labels.formatting import source_label, stage_label
from portal.models.tables import utcnow
from scrapers.registry import SOURCES
from scrapers.vocabulary import STAGES
from tests.factories import fts_release
from tests.pages import PageClient

WELSH_PLURALS = "nplurals=6; plural=(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n == 3 ? 3 : n == 6 ? 4 : 5);"


def test_no_welsh_entry_is_empty_or_fuzzy():
    assert translate.untranslated("cy") == []


def test_everything_extracted_is_in_the_catalogue():
    assert translate.missing("cy") == []


def test_the_welsh_plural_header_has_six_forms():
    with translate.catalogue_path("cy").open("rb") as handle:
        catalogue = read_po(handle)
    assert catalogue.plural_forms == WELSH_PLURALS
    assert catalogue.num_plurals == 6


def test_flask_translate_check_passes(runner):
    result = runner.invoke(args=["translate", "check"])
    assert result.exit_code == 0, result.output


def test_welsh_pages_use_welsh_months_and_all_six_plural_forms(app, client):
    pages = PageClient(client)
    expected = {
        0: "Dim caffaeliadau",
        1: "1 caffaeliad",
        2: "2 gaffaeliad",
        3: "3 chaffaeliad",
        6: "6 chaffaeliad",
        7: "7 caffaeliad",
    }
    now = utcnow()
    loaded = 0
    for count, words in expected.items():
        releases = [
            fts_release(
                ocid=f"ocds-h6vhtk-0d{n:04d}",
                notice_id=f"09{n:04d}-2026",
                deadline=None,
                notice_type="UK6",
                date="2026-03-01T10:00:00+00:00",
            )
            for n in range(loaded, count)
        ]
        if releases:
            with app.app_context(), session_scope() as session:
                ingest_page(session, "fts", releases, now=now)
                session.commit()
        loaded = count
        page = pages.get("/cy/")
        assert page.text(page.by_id("stage-count-awarded")) == words
    notice = pages.get("/cy/notice/ocds-h6vhtk-0d0000")
    assert "1 Mawrth 2026" in notice.text()
    assert "1 March 2026" in pages.get("/en/notice/ocds-h6vhtk-0d0000").text()


def test_welsh_times_are_london_times(app, client):
    deadline = (utcnow() + timedelta(days=400)).replace(month=7, day=1, hour=11, minute=0, second=0, microsecond=0)
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", [fts_release(deadline=deadline.isoformat())])
        session.commit()
    text = PageClient(client).get("/cy/notice/ocds-h6vhtk-0a0001").text()
    assert f"1 Gorffennaf {deadline.year}, 12:00" in text  # 11:00 UTC is 12:00 BST


def test_urls_can_be_built_outside_a_request_with_a_language(app):
    with app.app_context():
        assert url_for("pipeline.pipeline", lang_code="cy").endswith("/cy/pipeline")


def test_every_source_and_stage_has_an_english_and_a_welsh_label(app):
    """One table of sources (scrapers.registry) and one of stages: a new one without words fails here."""
    with app.test_request_context("/cy/"):
        for lang, labels in (("en", {}), ("cy", {})):
            with force_locale(lang):
                labels.update({("source", name): source_label(name) for name in SOURCES})
                labels.update({("stage", stage): stage_label(stage) for stage in STAGES})
            for (kind, code), label in labels.items():
                assert label and label != code, f"{kind} {code!r} has no label in {lang}"
            if lang == "en":
                english = dict(labels)
            else:
                translated = {key for key, label in labels.items() if label != english[key]}
                # register names that are the same in both languages (they are proper names)
                same = {("source", "fts"), ("source", "cf"), ("source", "portal")}
                assert set(labels) - translated == same
