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


def test_the_architecture_page_names_every_package_and_web_module():
    """docs/architecture.md matches the code: a new package or server module is named there."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    package = Path(__file__).resolve().parents[1] / "src" / "navguide"
    for sub in sorted(p for p in package.iterdir() if (p / "__init__.py").is_file()):
        assert f"`{sub.name}/`" in text, sub.name
    for module in sorted((package / "server").glob("*.py")):
        if module.name != "__init__.py":
            assert f"`{module.name}`" in text, module.name
