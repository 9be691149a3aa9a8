"""Composing an alert email (pure): the subscriber's language throughout, sections, plurals, dates, the cap."""

from __future__ import annotations

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


def test_an_email_about_several_searches_says_so():
    items = [Item(_procurement(1), "open", [Match("q=cleaning"), Match("q=services")])]
    parts = compose(_email(items, queries=["q=cleaning", "q=services"]))
    assert parts.subject == "1 new notice for your Piblinell alerts"
    assert (
        compose(_email(items, "cy", ["q=a", "q=b"])).subject == "1 hysbysiad newydd ar gyfer eich rhybuddion Piblinell"
    )
