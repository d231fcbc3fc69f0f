"""The gazetteer: every place of the knowledge's municipalities, found in a message.

"Svegs", "i Funäsdalen", "ostersund": a place is matched folded, also in the
genitive, and a short or lower-case one only after a preposition, so that
"kall" the word is not taken for Kall the village.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..knowledge.model import Municipality
from ..text import lexicon
from ..text.lexicon import is_stop
from ..text.normalize import fold, words


@dataclass(frozen=True, slots=True)
class PlaceHit:
    municipality: str
    place: str  # folded
    start: int  # index of the first word
    end: int


class Gazetteer:
    def __init__(self, municipalities: tuple[Municipality, ...]) -> None:
        self._names: dict[tuple[str, ...], tuple[str, str]] = {}
        for m in municipalities:
            for name in (m.name, *m.places):
                tokens = tuple(fold(w) for w in words(name))
                if tokens:
                    self._names.setdefault(tokens, (m.id, " ".join(tokens)))
        self._longest = max((len(t) for t in self._names), default=1)
        self._single = sorted(" ".join(t) for t in self._names if len(t) == 1 and len(t[0]) >= 6)

    def find(self, typed: list[str]) -> list[PlaceHit]:
        """Places in a message's words (as typed, to see capitals), in order."""
        folded = [fold(w.casefold()) for w in typed]
        hits: list[PlaceHit] = []
        i = 0
        while i < len(folded):
            hit = self._at(folded, typed, i)
            if hit:
                hits.append(hit)
                i = hit.end
            else:
                i += 1
        return hits

    def _at(self, folded: list[str], typed: list[str], i: int) -> PlaceHit | None:
        for n in range(min(self._longest, len(folded) - i), 0, -1):
            tokens = tuple(folded[i : i + n])
            found = self._names.get(tokens)
            if found is None and tokens[-1].endswith("s"):
                found = self._names.get((*tokens[:-1], tokens[-1][:-1]))  # genitive
            if found is None and n == 1:
                found = self._fuzzy(tokens[0])
            if found and self._plausible(folded, typed, i, n):
                return PlaceHit(found[0], found[1], i, i + n)
        return None

    def _fuzzy(self, word: str) -> tuple[str, str] | None:
        if len(word) < 7 or is_stop(word):
            return None
        match = process.extractOne(word, self._single, scorer=fuzz.ratio, score_cutoff=88)
        return self._names[tuple(match[0].split())] if match else None

    @staticmethod
    def _plausible(folded: list[str], typed: list[str], i: int, n: int) -> bool:
        word = folded[i]
        if n > 1 or (len(word) >= 5 and not is_stop(word)):
            return True
        after_preposition = i > 0 and folded[i - 1] in lexicon.PREPOSITIONS
        capitalised = typed[i][:1].isupper() and i > 0
        return after_preposition or capitalised or len(folded) == 1
