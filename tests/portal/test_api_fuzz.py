"""Schemathesis against the OpenAPI document: generated queries of every documented operation never give a
server error and every answer matches what the document promises (bounded: 60 cases an operation)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.portal.search_corpus import load_corpus
from tests.portal.test_api import day_deadline_release

CASES = 60


def test_every_api_operation_holds_to_its_document(app):
    load_corpus(app, extra=[day_deadline_release()])  # a date given as a day too: answered as "2099-09-30"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=CASES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def holds(case):
            case.call_and_validate()

        holds()
