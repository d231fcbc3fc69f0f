"""One feature record per candidate entry, computed once per message.

The candidates are the lexical ranking's best, the semantic signal's best and
the learner's local centres. Each gets the same named numbers: how much of the
message it covers and where, how far it leads, how close it is in meaning,
whether it is of the learner's place, whether it has what was asked of it.
The fitted model (`model.py`) turns a record into the chance that the entry
answers the message; nothing here decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..knowledge.model import Centre, Course, Topic
from .query import CENTRE_INTENTS, Query
from .ranking import Scored, blend
from .scoring import PhraseFit, coverage, term_idf

LEXICAL_CANDIDATES = 12
SEMANTIC_CANDIDATES = 8

# The intents that ask for a field of the format, and whether an entry has it.
_FIELD_INTENTS = ("hours", "start", "distance", "where", "contact")

NAMES: tuple[str, ...] = (
    "lexical",          # word overlap with the entry, blended with its closest question
    "coverage",         # share of the message's weight the entry matches
    "focus",            # ... of the question sentence alone
    "phrase",           # fit to the entry's closest single question or title
    "lexical_lead",     # lexical score minus the best other candidate's
    "lexical_top",      # the lexical ranking's first
    "semantic",         # e5 cosine to the entry's closest text (0 without the signal)
    "semantic_lead",    # ... minus the best other entry's
    "semantic_top",     # the semantic ranking's first
    "unknown",          # share of the question's words the knowledge lacks or guessed
    "length",           # log of the number of content words
    "is_course",
    "is_centre",
    "local",            # the entry is of the learner's municipality
    "elsewhere",        # ... of another municipality
    "place_named",      # a centre whose texts name the place the learner named
    "field_has",        # asked for a field (hours, start, ...) the entry has
    "field_lacks",      # asked for a field the entry lacks
    "category_match",   # the message names the course's school form
    "category_other",   # ... names another school form
    "study_course",     # asks to study, and the entry is a course
    "course_unasked",   # a course for a message that asks for no course
    "centre_offers",    # share of the subject words a centre's texts hold
    "english_bare",     # an English message, an entry with no English text
    "name_hit",         # half or more of a course's title or provider named
    "missed_rare",      # rarity of the rarest question word the entry lacks (0..1)
)
INDEX = {name: i for i, name in enumerate(NAMES)}


@dataclass
class Candidates:
    """The candidates of one message: entry positions and their feature rows."""

    positions: list[int]
    rows: np.ndarray  # len(positions) x len(NAMES)


class Featurizer:
    """Feature rows for a message against one matcher's index."""

    def __init__(self, matcher) -> None:  # the Matcher (not imported: it imports us)
        self.matcher = matcher
        self.index = matcher.index
        self.ranker = matcher.ranker  # positions of the local centres

    def candidates(
        self, query: Query, muni: str | None, ranked: list[Scored], covered: np.ndarray,
        placed: np.ndarray, semantic: np.ndarray | None, asks_course: bool,
        categories: set[str],
    ) -> Candidates:
        """`ranked`: the lexical ranking; `covered`: each entry's coverage of the
        message; `placed`: the same weighed by place; `semantic`: e5 cosines."""
        index, docs = self.index, self.index.docs
        fits = PhraseFit(index, query.terms)
        lexical = {s.index: s for s in ranked[:LEXICAL_CANDIDATES]}
        chosen = list(lexical)
        if semantic is not None:
            chosen += [int(i) for i in np.argsort(-semantic)[:SEMANTIC_CANDIDATES]
                       if int(i) not in lexical and semantic[i] > -1]
        if muni:
            chosen += [at for c in self.matcher.knowledge.centres_in(muni)
                       if (at := self.ranker.positions[c.id]) not in chosen]
        # A centre is a candidate only for what it offers or is asked where/when
        # ("Vad blir det för väder i Åre på lördag?" asks no centre, whatever its hours).
        chosen = [i for i in chosen if not isinstance(docs[i].entry, Centre)
                  or self.matcher.centres.answers(docs[i].entry, query)
                  or query.intents & CENTRE_INTENTS]
        fit = {i: lexical[i].fit if i in lexical else fits(i) for i in chosen}
        score = {i: lexical[i].score if i in lexical else blend(float(placed[i]), fit[i])
                 for i in chosen}
        focus = (coverage(index, query.focus) if len(query.focus) < len(query.content)
                 else covered)
        unknown = len(query.unknown_focus) / len(query.focus) if query.focus else 1.0
        length = math.log1p(len(query.content))
        top_lexical, lexical_lead = _leads(score)
        if semantic is not None and len(semantic):
            two = np.argpartition(-semantic, 1)[:2] if len(semantic) > 1 else np.arange(1)
            two = sorted(two.tolist(), key=lambda i: -semantic[i])
            top_semantic = two[0]
            runner = float(semantic[two[1]]) if len(two) > 1 else 0.0
            semantic_lead = {i: float(semantic[i]) - (runner if i == top_semantic
                                                      else float(semantic[top_semantic]))
                             for i in chosen}
        asked = [name for name in _FIELD_INTENTS if name in query.intents]
        place = query.named[-1].place if query.named else None
        rows = np.zeros((len(chosen), len(NAMES)), dtype=np.float64)
        for r, i in enumerate(chosen):
            entry = docs[i].entry
            f = {
                "lexical": score[i], "coverage": float(covered[i]), "focus": float(focus[i]),
                "phrase": fit[i], "lexical_lead": lexical_lead[i],
                "lexical_top": float(i == top_lexical), "unknown": unknown, "length": length,
                "is_course": float(isinstance(entry, Course)),
                "is_centre": float(isinstance(entry, Centre)),
            }
            if semantic is not None and len(semantic):
                f |= {"semantic": float(semantic[i]), "semantic_lead": semantic_lead[i],
                      "semantic_top": float(i == top_semantic)}
            own = getattr(entry, "municipality", None)
            if own and muni:
                f["local" if own == muni else "elsewhere"] = 1.0
            if isinstance(entry, Centre):
                f["place_named"] = float(bool(place) and place in docs[i].places)
                f["centre_offers"] = self.matcher.centres.offered(entry, query.subject)
            if asked:
                has = sum(_has_field(entry, name) for name in asked) / len(asked)
                f["field_has"], f["field_lacks"] = has, 1.0 - has
            if isinstance(entry, Course):
                named = self._names(query, entry)
                if categories:
                    f["category_match" if entry.category in categories
                      else "category_other"] = 1.0
                f["study_course"] = float("study" in query.intents)
                f["course_unasked"] = float(not (asks_course or named))
                f["name_hit"] = float(named)
            f["missed_rare"] = self._missed_rare(query, i)
            if query.lang == "en" and not entry.en:
                f["english_bare"] = 1.0
            for name, value in f.items():
                rows[r, INDEX[name]] = value
        return Candidates(chosen, rows)

    def _missed_rare(self, query: Query, doc_index: int) -> float:
        """"Hur söker jag förskoleplats?" shares "söka" with applying to Komvux, but
        its rarest word is nowhere in that entry: how rare the rarest missed one is."""
        group = self.index.group[doc_index]
        top = self.index.max_idf_by_group[group] or 1.0
        missed = [term_idf(self.index, t, group) for t in query.focus
                  if t.known and self.index.field_weight(t, doc_index) <= 0]
        return max(missed, default=0.0) / top

    def _names(self, query: Query, course: Course) -> bool:
        keys = {k for t in query.terms if not t.partial for k in (*t.keys, *t.alts)}
        return any(len(name & keys) * 2 >= len(name) for name in self.index.name_keys(course))


def _leads(values: dict[int, float]) -> tuple[int, dict[int, float]]:
    """The best key, and for each its lead over the best other one."""
    ordered = sorted(values, key=lambda i: values[i], reverse=True)
    if not ordered:
        return -1, {}
    first = ordered[0]
    second = values[ordered[1]] if len(ordered) > 1 else 0.0
    return first, {i: values[i] - (second if i == first else values[first]) for i in values}


def _has_field(entry: Topic | Course | Centre, intent: str) -> bool:
    if isinstance(entry, Centre):
        return {
            "hours": bool(entry.hours), "where": True,
            "contact": bool(entry.phone or entry.email), "start": False, "distance": False,
        }[intent]
    if isinstance(entry, Course):
        return {
            "start": entry.start is not None, "distance": True, "where": True,
            "hours": False, "contact": False,
        }[intent]
    return intent not in ("hours",)  # a topic may explain when or where; never opening hours


