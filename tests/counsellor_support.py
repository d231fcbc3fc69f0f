"""Shared by the counsellor-workflow tests: a knowledge copy and settings in tmp_path."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from support import CACHE, STARTER

from navguide.settings import Settings

# Every column the record store has: nothing here may identify a learner.
EXPECTED_COLUMNS = {
    "asked": ["reply_id", "hour", "municipality", "lang", "kind", "ids", "score", "margin",
              "runner_up", "handoff", "text"],
    "feedback": ["reply_id", "hour", "helpful"],
}


def copy_knowledge(tmp_path: Path) -> Path:
    """A copy of the starter knowledge the tests may edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(STARTER, target)
    return target


def settings_for(tmp_path: Path, knowledge: Path | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "knowledge": str(knowledge or copy_knowledge(tmp_path)),
        "database_url": f"sqlite:///{tmp_path / 'records.sqlite3'}",
        "watch": False,
        "secret": "test-secret",
        # The lexical matcher, and fitted models from the tests' own cache: what a
        # test's message gets must not depend on a background fit's timing.
        "semantic": False,
        "cache_dir": str(CACHE),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> float:
    """Poll `check` until it is true; returns the seconds it took."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not true after {timeout} s")
        await asyncio.sleep(0.02)
    return time.monotonic() - start
