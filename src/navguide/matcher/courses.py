"""Course search: courses filtered by what the learner said.

The subject comes from the message's own words; the category ("komvux",
"yh"), the place and "på distans" filter. Words that name no subject ("läsa",
"kurs", "när börjar") are left out of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ..knowledge.model import CATEGORIES, Centre, Course
from ..text import lexicon
from ..text.lexicon import is_stop
from ..text.normalize import words
from .query import CENTRE_INTENTS, Query, intent_keys
from .ranking import Ranker, Scored
from .scoring import coverage
from .terms import Term
from .vocabulary import key_en, key_sv, word_keys

SEARCH_RATIO = 0.6  # courses this close to the best are listed with it
LIST_RATIO = 0.35  # ... when the learner asks for several ("vilka", "var finns")
DISTANCE_BOOST = 1.25  # asked for distance: distance courses first
GENERIC_SHARE = 0.4  # a word in more courses than this says nothing of the subject
GENERIC_GUIDANCE = 0.4  # ... or in more guidance entries than this
GENERIC_MIN = 10  # ... and in at least this many
COURSE_FIT = 0.55  # a course search must match this much of the subject words
MAX_COURSES = 10
TOPIC_LEAD = 0.15  # a guidance topic this much better answers instead of courses
_FILTER_INTENTS = ("where", "hours", "start", "distance", "listing", "contact")


@dataclass
class Found:
    courses: list[Course]  # empty: the school form named has no course in the place
    fit: float
    category: str | None = None
    distance_instead: bool = False  # none of the form in the place: those on distance


class CourseSearch:
    def __init__(self, ranker: Ranker) -> None:
        self.ranker = ranker
        index = ranker.index
        docs = index.docs
        self.distance = np.array([getattr(d.entry, "distance", False) for d in docs], dtype=bool)
        self.category_code = np.array(
            [CATEGORIES.index(d.entry.category) if isinstance(d.entry, Course) else -1
             for d in docs], dtype=np.int8,
        )
        courses = [i for i, d in enumerate(docs) if isinstance(d.entry, Course)]
        self.start_order = np.array(
            sorted(courses, key=lambda i: _start_order(docs[i].entry)), dtype=np.int64
        )
        self.category_keys = {
            k: c for c in CATEGORIES if c != "other" for k in (key_sv(c), key_en(c))
        }
        # A school form whose name also names the centres ("lärcentrum Duved") asks
        # for the centre when it comes with a place, not for its courses.
        centre_keys = word_keys(frozenset(
            w for d in docs if isinstance(d.entry, Centre) for w in words(d.entry.name)))
        self.names_centres = {c for k, c in self.category_keys.items() if k in centre_keys}
        self.course_keys = word_keys(lexicon.COURSE)
        self.filter_keys = (
            self.course_keys | self.category_keys.keys()
            | frozenset().union(*(intent_keys()[name] for name in _FILTER_INTENTS))
        )

    def search(
        self, query: Query, muni: str | None, placed: bool, ranked: list[Scored]
    ) -> Found | None:
        """Courses for the message, or None when it does not ask for courses."""
        category = self.category(query)
        asks_courses = any(set((*t.keys, *t.parts)) & self.course_keys for t in query.terms)
        if "hours" in query.intents and not asks_courses:
            return None  # opening hours: a course has none
        best = ranked[0]
        distance = "distance" in query.intents
        placed = placed or bool(muni and "here" in query.intents)
        # A school form with a place, "many" or distance asks for that form's courses
        # ("yh i Åre"); alone it asks what the form is ("vad är yh?").
        by_place = placed and category not in self.names_centres
        by_category = category and (query.intents & {"many"} or distance or by_place) and not (
            query.intents & CENTRE_INTENTS
        )
        # "på distans" asks about a field only courses have.
        if not (isinstance(best.doc.entry, Course) or asks_courses or by_category or distance):
            return None
        subject = [t for t in query.terms if not self._filters(t) and not self.generic(t)]
        pool = self.ranker.is_course.copy()
        if category:
            pool &= self.category_code == CATEGORIES.index(category)
        if placed and muni:
            pool &= self.ranker.local(muni) | self.distance
        if subject:
            shown, fit = self._by_subject(query, subject, pool, muni, distance)
        elif (category or asks_courses) and (query.intents & {"listing", "many"} or placed):
            if by_place and muni and not distance:
                local = pool & self.ranker.local(muni)
                if not local.any():  # that form has nothing there: say so
                    shown = self._by_filters(pool & self.distance, None, False)
                    return Found([s.doc.entry for s in shown], 1.0,  # type: ignore[misc]
                                 category, distance_instead=True)
            shown, fit = self._by_filters(pool, muni if placed else None, distance), 1.0
        else:
            return None
        if not shown:
            return None
        if not isinstance(best.doc.entry, Course) and best.score > fit + TOPIC_LEAD and not (
            query.intents & {"listing"} or placed
        ):
            return None  # a guidance topic answers this better than any course
        return Found([s.doc.entry for s in shown[:MAX_COURSES]], fit,  # type: ignore[misc]
                     category)

    def _by_subject(
        self, query: Query, subject: list[Term], pool: np.ndarray, muni: str | None,
        distance: bool,
    ) -> tuple[list[Scored], float]:
        scores = coverage(self.ranker.index, subject) * self.ranker.placements(muni)
        if distance:  # asked for distance: those first, the rest still shown
            scores *= np.where(self.distance, DISTANCE_BOOST, 1 / DISTANCE_BOOST)
        scores[~pool] = 0.0
        found = self.ranker.top(scores, subject)
        if not found or found[0].score < COURSE_FIT:
            return [], 0.0
        top = found[0].score
        ratio = LIST_RATIO if query.intents & {"many", "listing"} else SEARCH_RATIO
        return [s for s in found if s.score >= top * ratio], min(top, 1.0)

    def _by_filters(self, pool: np.ndarray, muni: str | None, distance: bool) -> list[Scored]:
        """"YH-utbildningar i Åre": all that fit, that place's first, soonest first."""
        if distance and (pool & self.distance).any():
            pool = pool & self.distance
        if muni:
            local = pool & self.ranker.local(muni)
            pool = local if local.any() else pool
        chosen = self.start_order[pool[self.start_order]][:MAX_COURSES]
        return [Scored(self.ranker.index.docs[i], 1.0, int(i)) for i in chosen]

    def generic(self, term: Term) -> bool:
        """A word so common ("läsa", "kurs") it names no subject: in a good share of
        the courses, or of the guidance entries."""
        index = self.ranker.index
        for group, share in (("courses", GENERIC_SHARE), ("guidance", GENERIC_GUIDANCE)):
            limit = max(share * index.group_size[group], GENERIC_MIN)
            df = index.group_df[group]
            if any(df.get(k, 0) > limit for k in (*term.keys, *term.alts)):
                return True
        return False

    def _filters(self, term: Term) -> bool:
        """A word that filters (a school form, "kurs", "distans"), not a subject;
        "komvux kurser", joined into one word, filters by both its parts."""
        if term.keys_in(self.filter_keys):
            return True
        return bool(term.parts) and all(k in self.filter_keys or is_stop(k)
                                        for k in term.parts)

    def categories(self, query: Query) -> set[str]:
        """Every school form the message names."""
        return {self.category_keys[k] for t in query.terms
                for k in (*t.keys, *t.alts, *t.parts) if k in self.category_keys}

    def category(self, query: Query) -> str | None:
        for term in query.terms:
            for key in (*term.keys, *term.alts, *term.parts):
                if key in self.category_keys:
                    return self.category_keys[key]
        return None


def _start_order(course: Course) -> tuple[int, date | str]:
    if isinstance(course.start, date):
        return (0, course.start)
    return (1, course.title)
