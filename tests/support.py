"""Paths and settings the tests share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from navguide.settings import Settings

TESTS = Path(__file__).parent
KNOWLEDGE = TESTS / "data" / "knowledge"
STARTER = TESTS.parent / "knowledge"
# The shared benchmark data sits beside the clone in CI; a plain clone has none.
BENCH = Path(os.environ.get("NAVGUIDE_BENCH_DIR") or TESTS.parent.parent / "shared" / "bench")
needs_bench = pytest.mark.skipif(
    not (BENCH / "knowledge").is_dir(),
    reason=f"no benchmark data at {BENCH} (put ../shared/bench beside the clone "
           "or set NAVGUIDE_BENCH_DIR)")


def settings_for_tests(**overrides: object) -> Settings:
    """Settings for tests: no watching, no records, a fixed secret."""
    values: dict[str, object] = {
        "knowledge": str(KNOWLEDGE), "watch": False, "record": False, "secret": "test-secret",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
