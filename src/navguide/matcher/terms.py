"""One word of a message as the matcher reads it: its keys in the index and how
much it counts. Its own module, so that the index and the analysis both use it
without importing each other."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    word: str
    keys: tuple[str, ...]
    weight: float = 1.0  # how much the word matters in the message
    known: bool = True
    alts: tuple[str, ...] = ()  # keys of its synonyms
    partial: bool = False  # known only as the parts of a compound
    extra: bool = False  # added by a synonym phrase, not typed as such
    guessed: bool = False  # a misspelling corrected to the nearest known word
    passing: bool = False  # a compound whose parts the knowledge only mentions in passing
    parts: tuple[str, ...] = ()  # keys of the words joined into it ("komvux kurser")

    def keys_in(self, keys: Container[str]) -> bool:
        return any(k in keys for k in self.keys) or any(k in keys for k in self.alts)
