"""Telling Swedish from English by their function words."""

from __future__ import annotations

from typing import Literal

from .lexicon import STOP_EN, STOP_SV, STOP_SV_FOLDED

Lang = Literal["sv", "en"]

# Words both languages use ("i" is Swedish "in", "a" is rare Swedish, "for" is
# "för" typed without ö) count for neither.
_SHARED = (STOP_SV | STOP_SV_FOLDED) & STOP_EN | {"i", "a", "sfi", "komvux"}
_SWEDISH_LETTERS = set("åäö")


def detect(words: list[str], default: Lang = "sv") -> Lang:
    """The language of a message, by which function words it uses; ties go to `default`."""
    sv = sum(1 for w in words if w in STOP_SV and w not in _SHARED)
    en = sum(1 for w in words if w in STOP_EN and w not in _SHARED)
    sv += sum(1 for w in words if _SWEDISH_LETTERS & set(w)) * 0.5
    if en > sv:
        return "en"
    if sv > en:
        return "sv"
    return default


def english_words(words: list[str]) -> int:
    """How many of the words are English function words (a mixed message has some)."""
    return sum(1 for w in words if w in STOP_EN and w not in _SHARED)
