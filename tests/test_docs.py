"""Docs that test themselves: every setting is documented (Datasette's pattern)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from navguide.settings import SETTINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def settings_headings() -> set[str]:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    return set(re.findall(r"^## `([a-z_]+)`$", text, re.MULTILINE))


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting, settings_headings):
    assert setting.name in settings_headings
