"""Snowball stems for Swedish and English, cached: the same words recur all day."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

_SV = snowballstemmer.stemmer("swedish")
_EN = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem_sv(word: str) -> str:
    return _SV.stemWord(word)


@lru_cache(maxsize=200_000)
def stem_en(word: str) -> str:
    return _EN.stemWord(word)
