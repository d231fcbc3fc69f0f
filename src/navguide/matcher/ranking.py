"""Ranking entries for a message, weighed by where the learner is."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..knowledge.model import Course, Knowledge
from .index import Doc, Index
from .query import Query
from .scoring import PhraseFit, coverage
from .terms import Term

LOCAL_BOOST = 1.4  # an entry of the learner's municipality
ELSEWHERE = 0.45  # an entry of another municipality
UNPLACED = 0.8  # a municipality's own entry when the learner's municipality is unknown
PLACE_BOOST = 1.2  # a centre whose texts name the place the learner asks about
PHRASE_SHARE = 0.4  # how much the closest single question counts beside word overlap
CANDIDATES = 25


@dataclass
class Scored:
    doc: Doc
    score: float
    index: int = -1
    fit: float = 0.0  # its closest single question's fit (scoring.phrase_fit)


class Ranker:
    """Scores over all entries at once; per-entry facts kept as arrays."""

    def __init__(self, knowledge: Knowledge, index: Index) -> None:
        self.index = index
        docs = index.docs
        self.positions = {d.id: i for i, d in enumerate(docs)}
        self.centres = [i for i, d in enumerate(docs) if d.entry.kind == "centre"]
        self.is_course = np.array([isinstance(d.entry, Course) for d in docs], dtype=bool)
        self.muni_codes = {m.id: n for n, m in enumerate(knowledge.municipalities)}
        self.muni_code = np.array(
            [self.muni_codes.get(d.municipality or "", -1) for d in docs], dtype=np.int32
        )
        self._placement_cache: dict[str | None, np.ndarray] = {}

    def rank(self, query: Query, muni: str | None) -> list[Scored]:
        """Entries by how much of the message they answer, best first (top few only)."""
        return self.top(self.scores(query, muni, coverage(self.index, query.terms)),
                        query.terms)

    def scores(self, query: Query, muni: str | None, covered: np.ndarray) -> np.ndarray:
        """Per entry, its coverage of the message weighed by where the learner is."""
        place = query.named[-1].place if query.named else None
        scores = covered * self.placements(muni)
        if place:
            for i in self.centres:
                if place in self.index.docs[i].places:
                    scores[i] *= PLACE_BOOST
        return scores

    def top(self, scores: np.ndarray, terms: list[Term]) -> list[Scored]:
        """The best few by score, re-weighed by their closest single question."""
        found = [Scored(self.index.docs[i], float(scores[i]), i) for i in best(scores)]
        fits = PhraseFit(self.index, terms)
        for s in found:
            s.fit = fits(s.index)
            s.score = blend(s.score, s.fit)
        found.sort(key=lambda s: s.score, reverse=True)
        return found

    def local(self, muni: str | None) -> np.ndarray:
        return self.muni_code == self.muni_codes.get(muni or "", -2)

    def placements(self, muni: str | None) -> np.ndarray:
        """Per entry, how the learner's municipality weighs it (cached per municipality)."""
        found = self._placement_cache.get(muni)
        if found is None:
            placed = self.muni_code >= 0
            found = np.ones(len(self.index.docs))
            if muni:
                local = self.local(muni)
                found[placed & ~local] = ELSEWHERE
                found[local] = LOCAL_BOOST
            else:
                found[placed & ~self.is_course] = UNPLACED
            self._placement_cache[muni] = found
        return found


def best(scores: np.ndarray, count: int = CANDIDATES) -> list[int]:
    """Indices of the highest positive scores, best first."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > count:
        positive = positive[np.argpartition(-scores[positive], count - 1)[:count]]
    return sorted(positive.tolist(), key=lambda i: (-scores[i], i))


def blend(score: float, fit: float) -> float:
    """Word overlap with the whole entry, and with its closest single question."""
    return (1 - PHRASE_SHARE) * score + PHRASE_SHARE * fit * min(score * 2, 1.0)
