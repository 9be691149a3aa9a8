"""Composing an alert email (pure): the subscriber's language throughout, sections, plurals, dates, the cap."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from portal.alerts.changes import Change
from portal.alerts.compose import Email, Item, Match, compose, section_of
from portal.models.tables import Procurement
from tests.portal.alerts.sending import in_app  # noqa: F401 (a fixture)

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)


def _procurement(n: int, **values) -> Procurement:
    base = {
        "id": n,
        "ocid": f"ocds-test-{n}",
        "stage": "open",
        "title": f"Cleaning services {n}",
        "title_cy": f"Gwasanaethau glanhau {n}",
        "buyer_name": "Cyngor Sir Enghraifft",
        "deadline": datetime(2027, 3, 1, 12, tzinfo=UTC),
        "published_at": NOW,
        "value_amount": 50000.0,
        "currency": "GBP",
    }
    return Procurement(**(base | values))


def _email(items, lang="en", queries=("q=cleaning",), max_items=50) -> Email:
    return Email("a@example.org", lang, items, list(queries), "https://p.example/u", "https://p.example/m", max_items)


def test_sections_follow_the_stage_and_the_deadline():
    assert section_of(_procurement(1, stage="pipeline"), NOW) == "forward"
    assert section_of(_procurement(1), NOW) == "open"
    assert section_of(_procurement(1, deadline=NOW + timedelta(days=6)), NOW) == "closing"
    assert section_of(_procurement(1, stage="awarded"), NOW) == "other"
    assert section_of(_procurement(1, stage="closed"), NOW) is None  # a deadline passing is not news


@pytest.mark.parametrize("count", [1, 2, 3, 6, 7])
def test_welsh_subjects_take_the_plural_form_of_their_count(count):
    items = [Item(_procurement(n), "open", [Match("q=glanhau", ("glanhau",))]) for n in range(count)]
    parts = compose(_email(items, "cy", ["q=glanhau"]))
    assert parts.subject == f"{count} hysbysiad newydd ar gyfer eich chwiliad “glanhau”"


def test_a_welsh_email_is_welsh_throughout():
    items = [
        Item(_procurement(1, stage="planned", expected_tender_date=datetime(2027, 2, 1, tzinfo=UTC)), "forward"),
        Item(_procurement(2, deadline=NOW + timedelta(days=3)), "closing", [Match("q=glanhau", ("glanhau",))]),
        Item(
            _procurement(3),
            "changes",
            changes=[Change("deadline", "2027-03-01T12:00:00+00:00", "2027-03-15T12:00:00+00:00")],
        ),
    ]
    items[0].matches.append(Match("q=glanhau"))
    parts = compose(_email(items, "cy", ["q=glanhau"]))
    assert parts.subject == "2 hysbysiad newydd ar gyfer eich chwiliad “glanhau”"
    for welsh in (
        "Gwaith newydd ar y biblinell ac wedi'i gynllunio",
        "Yn cau o fewn 7 diwrnod",
        "Newidiadau i'r hyn rydych yn ei ddilyn",
        "Gwasanaethau glanhau 1",  # the Welsh title
        "Disgwylir iddo ddod i'r farchnad: 1 Chwefror 2027",
        "Symudwyd y dyddiad cau o 1 Mawrth 2027, 12:00 i 15 Mawrth 2027, 12:00",
        "Cyfatebodd i'ch chwiliad “glanhau”: glanhau",
        "/cy/notice/ocds-test-2",
        "Newid neu atal eich rhybuddion",
    ):
        assert welsh in parts.text, welsh
    assert "Closing" not in parts.text and "Deadline" not in parts.text
    assert '<html lang="cy">' in parts.html and "Gwasanaethau glanhau 2</a>" in parts.html


def test_the_cap_keeps_the_first_items_in_section_order_and_says_how_many_more():
    items = [Item(_procurement(n), "open", [Match("q=cleaning", ("cleaning",))]) for n in range(1, 5)]
    items.append(Item(_procurement(9, stage="pipeline"), "forward", [Match("q=cleaning", ("cleaning",))]))
    parts = compose(_email(items, max_items=2))
    assert parts.shown[0] == 9  # forward work first
    assert len(parts.shown) == 2
    assert "3 more notices are not shown here" in parts.text and "/en/search?q=cleaning" in parts.text
    welsh = compose(_email(items, "cy", max_items=2))
    assert "Mae 3 hysbysiad arall heb eu dangos yma" in welsh.text


def test_headers_name_the_one_click_address_and_the_list():
    parts = compose(_email([Item(_procurement(1), "open", [Match("q=cleaning")])]))
    assert parts.headers == {
        "List-Unsubscribe": "<https://p.example/u>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": "Piblinell alerts <alerts.127.0.0.1>",
    }
    assert parts.subject == "1 new notice for your search “cleaning”"


def test_a_title_cannot_inject_markup_into_the_html():
    hostile = _procurement(1, title="<script>alert(1)</script> & co", title_cy=None)
    parts = compose(_email([Item(hostile, "open", [Match("q=co")])]))
    assert "<script>" not in parts.html and "&lt;script&gt;" in parts.html
    assert "<script>alert(1)</script> & co" in parts.text


@pytest.mark.parametrize(
    ("count", "welsh"),
    [(1, "1 hysbysiad"), (2, "2 hysbysiad"), (3, "3 hysbysiad"), (6, "6 hysbysiad"), (7, "7 hysbysiad")],
)
def test_an_email_about_several_searches_counts_them(count, welsh):
    items = [Item(_procurement(n), "open", [Match("q=cleaning"), Match("q=services")]) for n in range(count)]
    parts = compose(_email(items, queries=["q=cleaning", "q=services", "q=roads"]))
    assert parts.subject == f"{count} new notice{'s' if count > 1 else ''} for your 3 searches"
    cymraeg = compose(_email(items, "cy", ["q=a", "q=b"])).subject
    assert cymraeg == f"{welsh} newydd ar gyfer eich 2 chwiliad"


def test_a_digest_has_a_stop_link_per_search_and_per_follow_and_one_for_all():
    items = [
        Item(_procurement(1), "open", [Match("q=cleaning", ("cleaning",)), Match("q=roads", ("roads",))]),
        Item(_procurement(2), "changes", changes=[Change("awarded", None, ["Acme Ltd"])]),
    ]
    email = _email(items, queries=["q=cleaning", "q=roads"])
    email.stop_searches = {"q=cleaning": "https://p.example/s1", "q=roads": "https://p.example/s2"}
    email.stop_follows = {2: "https://p.example/f7"}
    parts = compose(email)
    assert parts.headers["List-Unsubscribe"] == "<https://p.example/u>"  # the email's own: ends all three
    for line in (
        "Stop emails about your search “cleaning”: https://p.example/s1",
        "Stop emails about your search “roads”: https://p.example/s2",
        "Stop following this procurement: https://p.example/f7",
        "Stop every alert in this email: https://p.example/u",
        "Change or stop your alerts: https://p.example/m",
    ):
        assert line in parts.text, line
    assert parts.text.count("/notice/ocds-test-1") == 1  # found by both searches, listed once
    assert 'href="https://p.example/s2"' in parts.html and 'href="https://p.example/f7"' in parts.html
    welsh = compose(replace(email, language="cy"))
    assert "Atal e-byst am eich chwiliad “roads”: https://p.example/s2" in welsh.text
    assert "Atal pob rhybudd yn yr e-bost hwn: https://p.example/u" in welsh.text


def test_an_email_about_one_search_has_one_stop_link():
    email = _email([Item(_procurement(1), "open", [Match("q=cleaning")])])
    email.stop_searches = {"q=cleaning": "https://p.example/s1"}
    parts = compose(email)
    assert "Stop these emails: https://p.example/u" in parts.text and "https://p.example/s1" not in parts.text
