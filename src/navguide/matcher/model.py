"""The fitted model: from a candidate's features to the chance it answers.

Gradient-boosted decision trees (scikit-learn's HistGradientBoostingClassifier)
fitted on the knowledge's own examples: the features interact (a close
meaning counts for more when the words agree too, a local entry for more when
a place was named), which a linear model cannot say. scikit-learn fits; the
trees are then kept as plain arrays and walked here in numpy, so answering
needs neither scikit-learn nor its threads, and a model is JSON: saved, read
back by feature name, and fitted on yesterday's knowledge while today's refit
runs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import NAMES

# The trees: small enough to walk in well under a millisecond, deep enough for
# three-way interactions. Fixed, not tuned per knowledge.
TREES = 300
DEPTH = 4
LEARNING_RATE = 0.05
L2 = 1.0
CLARIFY_SHARE = 0.10  # at most this share of the fitting questions may get "did you mean"
CLARIFY_RIGHT = 0.80  # ... and a clarify must hold the right entry this often


@dataclass
class Trees:
    """A boosted ensemble as arrays: node i of the whole forest tests `feature[i]`
    against `threshold[i]` (left when at or below), or is a leaf worth `value[i]`."""

    feature: np.ndarray  # int, -1 at leaves
    threshold: np.ndarray
    left: np.ndarray  # node index (in the whole forest)
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray  # the first node of each tree
    baseline: float
    depth: int

    def raw(self, rows: np.ndarray) -> np.ndarray:
        """The log-odds of each row: every tree walked at once, one level a step."""
        node = np.broadcast_to(self.roots, (len(rows), len(self.roots))).copy()
        at = np.arange(len(rows))[:, None]
        for _ in range(self.depth):
            feature = self.feature[node]
            inner = feature >= 0
            if not inner.any():
                break
            x = rows[at, np.where(inner, feature, 0)]
            step = np.where(x <= self.threshold[node], self.left[node], self.right[node])
            node = np.where(inner, step, node)
        return self.baseline + self.value[node].sum(axis=1)

    def to_json(self, names: tuple[str, ...]) -> dict[str, object]:
        return {
            "feature": [names[f] if f >= 0 else None for f in self.feature.tolist()],
            "threshold": self.threshold.tolist(), "left": self.left.tolist(),
            "right": self.right.tolist(), "value": self.value.tolist(),
            "roots": self.roots.tolist(), "baseline": self.baseline, "depth": self.depth,
        }

    @classmethod
    def from_json(cls, data: dict) -> Trees:
        """Trees saved with feature names; a feature today's code lacks is never
        taken (the walk goes left, as for a value of 0 at a positive threshold)."""
        index = {n: i for i, n in enumerate(NAMES)}
        features = [index.get(n, -2) if n is not None else -1 for n in data["feature"]]
        threshold = np.array(data["threshold"], dtype=np.float64)
        left = np.array(data["left"], dtype=np.int64)
        feature = np.array(features, dtype=np.int64)
        gone = feature == -2
        threshold[gone], feature[gone] = np.inf, 0  # x <= inf: always left
        return cls(feature, threshold, left, np.array(data["right"], dtype=np.int64),
                   np.array(data["value"], dtype=np.float64),
                   np.array(data["roots"], dtype=np.int64), float(data["baseline"]),
                   int(data["depth"]))


@dataclass
class Model:
    trees: Trees
    threshold: float = 0.5  # answer at or above this chance; hand off below
    clarify: float = 1.0  # "did you mean" when the first three together reach this
    report: dict[str, object] = field(default_factory=dict)
    # A model with the semantic signal: a message whose best lexical chance (under
    # the lexical model fitted beside it) reaches this is answered without the
    # signal, which costs most of a message's time. Infinite: never.
    sure: float = math.inf

    def chances(self, rows: np.ndarray) -> np.ndarray:
        if not len(rows):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-np.clip(self.trees.raw(rows), -30, 30)))

    def describe(self) -> str:
        """How the model was fitted and how well its chances hold, for `navguide test`."""
        r = self.report
        if not r:
            return "matcher model: the shipped defaults (no fit for this knowledge)"
        lines = [
            f"matcher model: fitted on {r.get('examples')} examples from the knowledge "
            f"({', '.join(f'{n} {k}' for k, n in dict(r.get('by_source', {})).items())}) "
            f"in {r.get('seconds')} s; semantic signal {'on' if r.get('semantic') else 'off'}",
            f"  hand-off below chance {self.threshold:.3f}; did-you-mean from "
            f"{self.clarify:.3f}; right on {r.get('accuracy')} of its examples",
        ]
        if r.get("semantic"):
            lines.append(
                "  without the semantic signal from lexical chance "
                + (f"{self.sure:.3f} ({r.get('sure_share')} of its examples)"
                   if math.isfinite(self.sure) else "never"))
        lines += [
            "  calibration (best candidate's chance: examples, mean chance, share right):",
        ]
        for span, count, mean, right in r.get("calibration", []):
            lines.append(f"    {span}  {count:>5}  {mean:.2f}  {right:.2f}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {"trees": self.trees.to_json(NAMES), "threshold": self.threshold,
                "clarify": self.clarify, "report": self.report,
                "sure": self.sure if math.isfinite(self.sure) else None}

    @classmethod
    def from_json(cls, data: dict) -> Model:
        sure = data.get("sure")
        return cls(Trees.from_json(data["trees"]), float(data["threshold"]),
                   float(data.get("clarify", 1.0)), dict(data.get("report", {})),
                   math.inf if sure is None else float(sure))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json()), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Model | None:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def fit_trees(rows: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> Trees:
    """Boosted trees fitted to weighted candidate rows (right: 1, else 0)."""
    return export(boost(rows, labels, weights))


def boost(rows: np.ndarray, labels: np.ndarray, weights: np.ndarray):  # -> the classifier
    from sklearn.ensemble import HistGradientBoostingClassifier  # fitting only
    from threadpoolctl import threadpool_limits

    booster = HistGradientBoostingClassifier(
        max_depth=DEPTH, max_iter=TREES, learning_rate=LEARNING_RATE,
        l2_regularization=L2, early_stopping=False, random_state=0,
    )
    with threadpool_limits(1):  # beside a serving process: one core, not all
        booster.fit(rows, labels, sample_weight=weights)
    return booster


def export(booster) -> Trees:
    """The classifier's trees as arrays (its own predictor objects are private)."""
    features, thresholds, lefts, rights, values, roots = [], [], [], [], [], []
    for (tree,) in booster._predictors:
        nodes = tree.nodes
        offset = len(features)
        roots.append(offset)
        for i, node in enumerate(nodes):
            leaf = bool(node["is_leaf"])
            features.append(-1 if leaf else int(node["feature_idx"]))
            thresholds.append(float(node["num_threshold"]))
            lefts.append(offset + (i if leaf else int(node["left"])))
            rights.append(offset + (i if leaf else int(node["right"])))
            values.append(float(node["value"]))
    return Trees(np.array(features), np.array(thresholds), np.array(lefts),
                 np.array(rights), np.array(values), np.array(roots),
                 float(np.ravel(booster._baseline_prediction)[0]), DEPTH)


@dataclass(frozen=True)
class Outcome:
    """One fitting question after the model: its candidates' chances, best first,
    whether each is right, and whether the question has an answer at all."""

    chances: tuple[float, ...]
    right: tuple[bool, ...]
    answerable: bool
    weight: float


def pick_threshold(outcomes: list[Outcome]) -> tuple[float, float]:
    """The threshold that answers the most fitting questions right, and its accuracy.

    Right is: the best candidate is right and at or above the threshold, or the
    question has no answer and the best is below it.
    """
    cuts = sorted({round(o.chances[0], 4) for o in outcomes if o.chances} | {0.5})
    best_cut, best_score = 0.5, -1.0
    total = sum(o.weight for o in outcomes) or 1.0
    for cut in cuts:
        score = sum(o.weight for o in outcomes if _right_at(o, cut)) / total
        if score > best_score + 1e-9:
            best_cut, best_score = cut, score
    return best_cut, best_score


def _right_at(o: Outcome, cut: float) -> bool:
    answered = bool(o.chances) and o.chances[0] >= cut
    if not o.answerable:
        return not answered
    return answered and o.right[0]


def pick_sure(lexical: list[Outcome], semantic: list[Outcome], lexical_threshold: float,
              threshold: float) -> float:
    """The least best lexical chance from which the lexical model alone is right on
    at least as many fitting questions as the model with the semantic signal
    (`lexical[i]` and `semantic[i]`: one question under each); infinite if none.

    Above it the semantic signal would change no answer for the better, so it
    need not be computed.
    """
    def best(i: int) -> float:
        return lexical[i].chances[0] if lexical[i].chances else 0.0

    # From the highest chance down: the running weight right under each model.
    descending = sorted(range(len(lexical)), key=best, reverse=True)
    lexical_right = semantic_right = 0.0
    sure = math.inf
    for n, i in enumerate(descending):
        chance = best(i)
        if chance < lexical_threshold:
            break
        weight = lexical[i].weight
        lexical_right += weight * _right_at(lexical[i], lexical_threshold)
        semantic_right += weight * _right_at(semantic[i], threshold)
        tied = n + 1 < len(descending) and best(descending[n + 1]) == chance
        if not tied and lexical_right >= semantic_right - 1e-9:
            sure = chance
    return sure


def pick_clarify(outcomes: list[Outcome], threshold: float) -> float:
    """The least joint chance of the first three at which "did you mean" is asked.

    Among the questions the threshold would hand off, a clarify is asked when
    the first three candidates together are likely enough; the lowest level is
    taken at which clarifies stay rare and mostly hold the right entry.
    """
    below = [o for o in outcomes if o.chances and o.chances[0] < threshold]
    total = sum(o.weight for o in outcomes) or 1.0
    levels = sorted({round(joint(o.chances), 4) for o in below}, reverse=True)
    chosen = 1.0
    for level in levels:
        asked = [o for o in below if joint(o.chances) >= level]
        share = sum(o.weight for o in asked) / total
        held = sum(o.weight for o in asked if any(o.right[:3])) / (
            sum(o.weight for o in asked) or 1.0)
        if share > CLARIFY_SHARE or held < CLARIFY_RIGHT:
            break
        chosen = level
    return chosen


def joint(chances: tuple[float, ...] | list[float]) -> float:
    """The chance that one of the first three is right, taken as independent."""
    return 1.0 - math.prod(1.0 - c for c in chances[:3])


def calibration(outcomes: list[Outcome], bins: int = 5) -> list[tuple[str, int, float, float]]:
    """(range, count, mean predicted, share right) of the best candidates by chance."""
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [o for o in outcomes if o.chances and lo <= o.chances[0] < hi + (b == bins - 1)]
        if not inside:
            continue
        mean = sum(o.chances[0] for o in inside) / len(inside)
        right = sum(1 for o in inside if o.answerable and o.right[0]) / len(inside)
        rows.append((f"{lo:.1f}–{hi:.1f}", len(inside), mean, right))
    return rows
