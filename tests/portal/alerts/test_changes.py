"""What a follower is told: the material facts of a procurement and what changed between two (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.alerts.changes import Change, baseline_of, differences, documents_of, updated_baseline
from portal.models.tables import Procurement
from tests.factories import fts_release

DEADLINE = datetime(2099, 9, 1, 11, tzinfo=UTC)


def _procurement(**values) -> Procurement:
    base = {"ocid": "ocds-x", "stage": "open", "deadline": DEADLINE, "value_amount": 100000.0, "currency": "GBP"}
    return Procurement(**(base | values))


def test_the_same_facts_change_nothing():
    facts = baseline_of(_procurement(title="A"))
    assert differences(facts, baseline_of(_procurement(title="A corrected title"))) == []


def test_a_moved_deadline_says_old_and_new():
    old = baseline_of(_procurement())
    new = baseline_of(_procurement(deadline=datetime(2099, 9, 15, 11, tzinfo=UTC)))
    assert differences(old, new) == [Change("deadline", "2099-09-01T11:00:00+00:00", "2099-09-15T11:00:00+00:00")]


def test_value_lots_award_and_cancellation_are_each_named():
    old = baseline_of(_procurement())
    assert differences(old, baseline_of(_procurement(value_amount=120000.0))) == [
        Change("value", [100000.0, "GBP"], [120000.0, "GBP"])
    ]
    lots = [{"id": "1", "title": "North", "value_amount": 1.0}, {"id": "2", "title": "South", "value_amount": 2.0}]
    assert differences(old, baseline_of(_procurement(lots=lots))) == [Change("lots", 0, 2)]
    awarded = _procurement(stage="awarded", awards=[{"suppliers": [{"name": "Glanhau Cyf"}]}])
    assert differences(old, baseline_of(awarded)) == [Change("awarded", [], ["Glanhau Cyf"])]
    assert differences(old, baseline_of(_procurement(stage="cancelled"))) == [Change("cancelled", "open", "cancelled")]


def test_a_deadline_passing_is_not_a_material_change():
    # refresh_stages closes an open tender at its deadline: the follower knew the deadline already
    assert differences(baseline_of(_procurement()), baseline_of(_procurement(stage="closed"))) == []


def test_documents_are_compared_only_when_both_sides_know_them():
    release = fts_release()
    release["tender"]["documents"].append({"id": "d1", "url": "https://example.org/spec.pdf"})
    assert documents_of(release) == ["https://example.org/spec.pdf"]  # the notice's own document is not one
    without = baseline_of(_procurement())
    with_documents = baseline_of(_procurement(), release)
    assert differences(without, with_documents) == []
    more = fts_release()
    more["tender"]["documents"] += [{"id": "d1", "url": "https://example.org/spec.pdf"}, {"id": "d2"}]
    assert differences(with_documents, baseline_of(_procurement(), more)) == [Change("documents", 1, 2)]
    assert updated_baseline(with_documents, without)["documents"] == ["https://example.org/spec.pdf"]


def test_an_empty_baseline_tells_nothing_and_changes_round_trip_as_json():
    assert differences({}, baseline_of(_procurement())) == []
    change = Change("deadline", None, "2099-09-01T11:00:00+00:00")
    assert Change.from_json(change.as_json()) == change
