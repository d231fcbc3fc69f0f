"""Fitting the model to a knowledge: the documented procedure.

1. Split the knowledge into folds (examples.py): each fold's knowledge lacks
   the texts it asks, and the topics whose near misses it asks.
2. Build a matcher on each fold's knowledge (and a semantic index from the
   same cached vectors), and compute every example's candidates and features
   exactly as a learner's message is judged.
3. Label each candidate: right when it is an entry the example expects.
4. Fit boosted trees on the candidates (model.py), each example weighed so
   that questions with an answer and without count as the prior
   `UNANSWERABLE` says.
5. Pick the hand-off threshold that answers the most examples right, and the
   "did you mean" level (rare, and mostly holding the right entry), on chances
   from trees fitted without the example's half of the entries.
6. With the semantic signal: the lexical model is fitted first (steps 1-5
   without it); pick the least lexical chance from which the lexical model is
   right on as many examples as the semantic one, so that a message the
   lexical features settle is answered without embedding it.

The result is cached by the knowledge's version and this procedure's own
version, so a restart does not refit.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..knowledge.model import Knowledge
from .decide import Judged
from .defaults import default_model
from .examples import Example, folds, stable
from .features import NAMES
from .matcher import Matcher
from .model import (
    Model,
    Outcome,
    calibration,
    fit_trees,
    pick_clarify,
    pick_sure,
    pick_threshold,
)
from .semantic import QUERY_WORDS, Encoder, SemanticIndex, query_text

log = logging.getLogger(__name__)

PROCEDURE = "10"  # change when features, examples or fitting change: old caches refit
UNANSWERABLE = 0.2  # the share of learners' questions the knowledge cannot answer
MAX_FIT_COURSES = 2000  # a larger catalogue is sampled for fitting
# Fewer answerable examples than this (a knowledge of a handful of entries) fit
# noise, not the knowledge: the shipped model, fitted on the starter knowledge, serves.
MIN_EXAMPLES = 300


@dataclass
class Fitted:
    model: Model
    seconds: float
    examples: int


def cache_name(knowledge: Knowledge, semantic: bool) -> str:
    digest = hashlib.sha1(
        f"{knowledge.version}\0{PROCEDURE}\0{','.join(NAMES)}\0{semantic}"
        f"\0{QUERY_WORDS if semantic else ''}".encode()
    ).hexdigest()[:16]
    return f"model-{digest}.json"


def fit(knowledge: Knowledge, encoder: Encoder | None = None,
        lexical: Model | None = None) -> Fitted:
    """Fit the model to a knowledge (with the semantic feature when given an encoder;
    `lexical`: the lexical model fitted beside it, for the level it answers alone)."""
    started = time.perf_counter()
    # Each example with its fold's matcher, and the same without the signal
    # under the lexical model (for step 6).
    examples: list[tuple[Example, Matcher, Matcher | None]] = []
    for fold in folds(knowledge, max_courses=MAX_FIT_COURSES):
        matcher = Matcher(fold.knowledge)
        alone = matcher.with_(model=lexical) if lexical is not None else None
        if encoder is not None:
            matcher = matcher.with_(semantic=SemanticIndex(
                fold.knowledge, encoder, matcher.positions()))
            # one batch for the engine: far quicker than one by one
            encoder.encode([query_text(e.text) for e in fold.examples], query=True)
        examples += [(e, matcher, alone) for e in fold.examples]
    rows: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    per_example: list[tuple[Example, np.ndarray, np.ndarray]] = []
    for example, matcher, _ in examples:
        judged = matcher.judge_text(example.text, example.municipality)
        right = _labels(matcher, judged, example)
        rows.append(judged.found.rows)
        labels.append(right)
        per_example.append((example, judged.found.rows, right))
    weights = _weights(per_example)
    x = np.vstack(rows) if rows else np.zeros((0, len(NAMES)))
    y = np.concatenate(labels) if labels else np.zeros(0)
    w = np.concatenate([np.full(len(r), wt) for (_, r, _), wt in zip(per_example, weights,
                                                                        strict=True)])
    model = Model(fit_trees(x, y, w))
    outcomes = _held_out(per_example, weights)  # the levels: on chances not fitted to
    model.threshold, accuracy = pick_threshold(outcomes)
    model.clarify = pick_clarify(outcomes, model.threshold)
    sure_share = 0.0
    if lexical is not None and encoder is not None:
        plain = []
        for example, _, alone in examples:
            assert alone is not None
            judged = alone.judge_text(example.text, example.municipality)
            plain.append((example, judged.found.rows, _labels(alone, judged, example)))
        alone_outcomes = _held_out(plain, weights)
        model.sure = pick_sure(alone_outcomes, outcomes, lexical.threshold, model.threshold)
        sure_share = sum(1 for o in alone_outcomes if o.chances and o.chances[0] >= model.sure
                         ) / max(len(alone_outcomes), 1)
    seconds = time.perf_counter() - started
    model.report = {
        "examples": len(per_example),
        "by_source": _count(e.source for e, _, _ in per_example),
        "candidates": len(y),
        "accuracy": round(accuracy, 4),
        "calibration": [list(row) for row in calibration(outcomes)],
        "seconds": round(seconds, 2),
        "semantic": encoder is not None,
        "sure_share": round(sure_share, 3),
        "knowledge": knowledge.version,
    }
    log.info("fitted the matcher on %d examples in %.1f s (threshold %.3f)",
             len(per_example), seconds, model.threshold)
    return Fitted(model, seconds, len(per_example))


def _held_out(per_example: list[tuple[Example, np.ndarray, np.ndarray]],
              weights: list[float]) -> list[Outcome]:
    """Each example's outcome under trees fitted on the other half of the entries:
    the levels are picked on chances the trees did not see (on their own examples
    they are surer than they are on a learner's)."""
    half = [_half(e) for e, _, _ in per_example]
    models = []
    for h in (0, 1):
        own = [(r, y, wt) for (e, r, y), wt, eh in zip(per_example, weights, half, strict=True)
               if eh == h]
        if not own:
            return []
        models.append(Model(fit_trees(np.vstack([r for r, _, _ in own]),
                                      np.concatenate([y for _, y, _ in own]),
                                      np.concatenate([np.full(len(r), wt) for r, _, wt in own]))))
    return [_outcome(models[1 - h].chances(rows), right, example, weight)
            for (example, rows, right), weight, h in zip(per_example, weights, half, strict=True)]


def _half(example: Example) -> int:
    """Which half of the knowledge an example belongs to: by the entries it asks
    for, so that the copies of one question stay in one half."""
    key = ",".join(sorted(example.expect)) if example.expect else example.text
    return stable(key) % 2


def _labels(matcher: Matcher, judged: Judged, example: Example) -> np.ndarray:
    """Each candidate: 1 when it is an entry the example expects."""
    ids = [matcher.index.docs[i].id for i in judged.found.positions]
    return np.array([i in example.expect for i in ids], dtype=np.float64)


def _outcome(chances: np.ndarray, right: np.ndarray, example: Example,
             weight: float) -> Outcome:
    order = np.argsort(-chances, kind="stable")
    return Outcome(tuple(float(chances[i]) for i in order), tuple(bool(right[i]) for i in order),
                   bool(example.expect), weight)


def _weights(per_example: list[tuple[Example, np.ndarray, np.ndarray]]) -> list[float]:
    """Each example's weight: answerable and unanswerable ones in the prior's shares."""
    answerable = sum(1 for e, _, _ in per_example if e.expect) or 1
    unanswerable = sum(1 for e, _, _ in per_example if not e.expect) or 1
    total = len(per_example)
    return [
        (1 - UNANSWERABLE) * total / answerable if e.expect else UNANSWERABLE * total / unanswerable
        for e, _, _ in per_example
    ]


def _count(items) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in items:
        found[item] = found.get(item, 0) + 1
    return found


def too_small(knowledge: Knowledge) -> bool:
    answerable = sum(1 for f in folds(knowledge) for e in f.examples if e.expect)
    return answerable < MIN_EXAMPLES


def fitted_model(knowledge: Knowledge, encoder: Encoder | None, cache: Path | None,
                 lexical: Model | None = None) -> Model:
    """The model for this knowledge: from the cache, else fitted (and cached).
    `lexical`: with an encoder, the lexical model beside it, when already at hand."""
    if too_small(knowledge):
        return default_model(semantic=encoder is not None)
    path = cache / cache_name(knowledge, encoder is not None) if cache else None
    if path is not None:
        found = Model.load(path)
        if found is not None:
            return found
    # With the signal, the lexical model beside it says when the signal is not needed.
    if encoder is not None and lexical is None:
        lexical = fitted_model(knowledge, None, cache)
    model = fit(knowledge, encoder, lexical if encoder is not None else None).model
    if path is not None:
        try:
            model.save(path)
        except OSError as exc:
            log.warning("fitted model not cached: %s", exc)
    if encoder is not None:
        encoder.store.save()
    return model

