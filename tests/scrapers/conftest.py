"""Fixtures shared by the collector tests."""

import pytest

from tests.replay import FakeTime


@pytest.fixture
def fake() -> FakeTime:
    """A clock and sleep that record waits instead of waiting."""
    return FakeTime()
