"""Paths and settings the tests share."""

from __future__ import annotations

from pathlib import Path

from navguide.settings import Settings

TESTS = Path(__file__).parent
KNOWLEDGE = TESTS / "data" / "knowledge"
BENCH = TESTS.parent.parent / "shared" / "bench"


def settings_for_tests(**overrides: object) -> Settings:
    """Settings for tests: no watching, no records, a fixed secret."""
    values: dict[str, object] = {
        "knowledge": str(KNOWLEDGE), "watch": False, "record": False, "secret": "test-secret",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
