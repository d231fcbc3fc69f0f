"""Scoring entries against a message's terms: rare words count more, and
words in questions and titles more than words in explanations."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .index import GROUPS, Index
from .terms import Term

PART_MATCH = 0.6  # a word known only as parts of a compound
SYNONYM_MATCH = 0.8  # a word matched through the knowledge's synonyms
UNKNOWN_IDF = 0.75  # a word the knowledge never uses, as a share of the rarest word's weight


def term_idf(index: Index, term: Term, group: str) -> float:
    """How rare the term is among the group's entries (a word never seen: fairly rare)."""
    idf = index.idf_by_group[group]
    found = [idf[k] for k in term.keys if k in idf] or [idf[k] for k in term.alts if k in idf]
    if found:
        return max(found)
    return index.max_idf_by_group[group] * UNKNOWN_IDF


def coverage(index: Index, terms: Iterable[Term]) -> np.ndarray:
    """Per entry, the share of the terms' weight it matches (0..1).

    Word rarity is counted within the entry's group (guidance or courses).
    """
    terms = list(terms)
    masses = np.array(
        [sum(t.weight * term_idf(index, t, g) for t in terms if not t.extra) for g in GROUPS]
    )
    totals = np.zeros(len(index.docs))
    for term in terms:
        best: np.ndarray | None = None
        factor = PART_MATCH if term.partial else 1.0
        for keys, weight in ((term.keys, factor), (term.alts, SYNONYM_MATCH)):
            for key in keys:
                found = index.postings.get(key)
                if found is None:
                    continue
                if best is None:
                    best = np.zeros(len(index.docs))
                idx = found[0]
                # A key holds each entry once, so this is an element-wise max.
                best[idx] = np.maximum(best[idx], index.values[key] * weight)
        if best is not None:
            totals += best * term.weight
    mass = masses[index.group_code] if len(index.docs) else masses[:0]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(mass > 0, totals / np.where(mass > 0, mass, 1.0), 0.0)
    return np.minimum(share, 1.0)


def phrase_fit(index: Index, terms: list[Term], doc_index: int) -> float:
    """How well the message matches the entry's closest single question or title.

    A weighted Dice overlap: words of the message missing from the question and
    words of the question missing from the message both lower it.
    """
    return PhraseFit(index, terms)(doc_index)


class PhraseFit:
    """phrase_fit for one message against many entries: the message's word
    masses are computed once per group, not once per entry, and a long message
    costs per phrase what the phrase's own words do: each phrase looks its keys
    up among the message's, instead of every word of the message being tried
    against every phrase (issue 11: a 1,000-character message)."""

    def __init__(self, index: Index, terms: list[Term]) -> None:
        self.index = index
        self.terms = [t for t in terms if not t.extra]
        self._masses: dict[str, tuple[list[float], float]] = {}
        self._keys = [frozenset((*t.keys, *t.alts)) for t in self.terms]
        self._by_key: dict[str, list[int]] = {}  # key -> the terms it stands for, in order
        for position, keys in enumerate(self._keys):
            for key in keys:
                self._by_key.setdefault(key, []).append(position)

    def _group(self, group: str) -> tuple[list[float], float]:
        found = self._masses.get(group)
        if found is None:
            masses = [t.weight * term_idf(self.index, t, group) for t in self.terms]
            found = self._masses[group] = (masses, sum(masses))
        return found

    def _matched(self, masses: list[float], phrase: frozenset[str]) -> float:
        """The mass of the message's terms that the phrase holds."""
        if len(self._keys) <= len(phrase):
            return sum(m for m, keys in zip(masses, self._keys, strict=True)
                       if not keys.isdisjoint(phrase))
        hit: set[int] = set()
        for key in phrase:
            found = self._by_key.get(key)
            if found:
                hit.update(found)
        # Summed in the terms' order, as above: the very same float either way.
        return sum(masses[position] for position in sorted(hit))

    def __call__(self, doc_index: int) -> float:
        group = self.index.group[doc_index]
        idf = self.index.idf_by_group[group]
        masses, mass = self._group(group)
        best = 0.0
        for phrase in self.index.docs[doc_index].phrases:
            matched = self._matched(masses, phrase)
            if matched:
                phrase_mass = sum(idf.get(k, 0.0) for k in phrase)
                best = max(best, 2 * matched / (mass + phrase_mass))
        return best
