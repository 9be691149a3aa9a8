"""The real recorded data may be missing on a developer's machine (skip) but never in CI (fail)."""

from __future__ import annotations

import pytest

from tests.realdata import real_path


def test_missing_real_data_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not available"):
        real_path("no/such/recording.json")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the tests on the real data"):
        real_path("no/such/recording.json")
