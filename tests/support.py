"""Paths and settings the tests share."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from navguide.holder import Loaded, build, fitted
from navguide.matcher.prepare import Preparation
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
# Fitted models (and embeddings) by content hash: safe to share between runs.
CACHE = Path(tempfile.gettempdir()) / "navguide-test-cache"
LEXICAL = Preparation(semantic=False, cache=CACHE)


def fitted_knowledge(path: Path, prep: Preparation = LEXICAL) -> Loaded:
    """A knowledge folder with its matcher fitted, as the server ends up serving it
    (lexical only unless asked: the semantic signal has its own tests)."""
    return fitted(build(path, prep), prep)


def settings_for_tests(**overrides: object) -> Settings:
    """Settings for tests: no watching, no records, a fixed secret."""
    values: dict[str, object] = {
        "knowledge": str(KNOWLEDGE), "watch": False, "record": False, "secret": "test-secret",
        "semantic": False, "cache_dir": str(CACHE),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def settled(app) -> None:  # type: ignore[no-untyped-def]
    """Until the server's background fit has swapped in its matcher: a test that
    patches the matcher patches the one that will answer."""
    from navguide.server.reload import reloader_key

    fitting = app[reloader_key].fitting
    if fitting is not None:
        await fitting
