"""Where the web assets (widget, templates) live: in the wheel, or the source tree."""

from __future__ import annotations

from pathlib import Path


def web_root() -> Path:
    packaged = Path(__file__).parents[1] / "web"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "web"
