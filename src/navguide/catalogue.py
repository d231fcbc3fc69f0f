"""The message catalogue: what navguide itself says, in Swedish and English."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import get_args

import yaml

from .text.language import Lang

LANGS: tuple[Lang, ...] = get_args(Lang)  # the languages navguide speaks, named once


@cache
def catalogue() -> dict[str, dict[str, str]]:
    text = files("navguide").joinpath("messages.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def say(lang: str, key: str, **values: object) -> str:
    texts = catalogue()
    template = texts.get(lang, texts["sv"]).get(key) or texts["sv"][key]
    return template.format(**values) if values else template
