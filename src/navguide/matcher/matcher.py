"""The matcher: from the conversation so far to one reply.

Scores every entry by the learner's words, weighs in the place the learner
named, then routes: a guidance topic, the local lärcentrum, one course, a
course search, or an honest hand-off when nothing fits well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ..knowledge.model import CATEGORIES, Centre, Course, Knowledge
from ..text import lexicon
from ..text.language import Lang, english_words
from ..text.normalize import fold
from .index import Doc, Index
from .query import Query, Term, analyse
from .reply import Reply
from .scoring import coverage, phrase_fit, term_idf
from .vocabulary import key_en, key_sv

MAX_TURNS = 4
LOCAL_BOOST = 1.4  # an entry of the learner's municipality
ELSEWHERE = 0.45  # an entry of another municipality
UNPLACED = 0.8  # a municipality's own entry when the learner's municipality is unknown
PLACE_BOOST = 1.2  # a centre whose texts name the learner's place
PHRASE_SHARE = 0.4  # how much the closest single question counts beside word overlap
CANDIDATES = 25
SEARCH_RATIO = 0.6  # courses this close to the best are listed with it
LIST_RATIO = 0.35  # ... when the learner asks for several ("vilka", "var finns")
DISTANCE_BOOST = 1.25  # asked for distance: distance courses first
GENERIC_SHARE = 0.4  # a word in more courses than this says nothing of the subject
GENERIC_GUIDANCE = 0.4  # ... or in more guidance entries than this
GENERIC_MIN = 10  # ... and in at least this many
COURSE_FIT = 0.55  # a course search must match this much of the subject words
MAX_COURSES = 10
CENTRE_OFFERS = 0.3  # share of a question a centre's texts must hold to answer it
HANDOFF_SCORE = 0.3  # below this share of the message matched: hand off
# ... or below this when a Swedish question has a word the knowledge lacks (English
# ones, even mixed in, use words the mostly Swedish knowledge lacks: no signal there)
UNKNOWN_HANDOFF = 0.5
SHORT_QUESTION = 5  # content words; longer questions may carry a word we do not know
FOCUS_TRUST = 0.8  # a long message's question sentence, matched alone
LONG_FLOOR = 0.15  # in a long message, an entry this good ...
LONG_LEAD = 1.5  # ... and this far ahead of the next is the answer
HISTORY_WEIGHT = 0.5

_CENTRE_INTENTS = {"where", "hours", "contact"}


@dataclass
class Scored:
    doc: Doc
    score: float
    index: int = -1


class Matcher:
    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.index = Index(knowledge)
        docs = self.index.docs
        self._positions = {d.id: i for i, d in enumerate(docs)}
        self._centres = [i for i, d in enumerate(docs) if d.entry.kind == "centre"]
        self._is_course = np.array([d.entry.kind == "course" for d in docs], dtype=bool)
        self._muni_codes = {m.id: n for n, m in enumerate(knowledge.municipalities)}
        self._muni_code = np.array(
            [self._muni_codes.get(d.municipality or "", -1) for d in docs], dtype=np.int32
        )
        self._distance = np.array([getattr(d.entry, "distance", False) for d in docs], dtype=bool)
        self._category_code = np.array(
            [CATEGORIES.index(d.entry.category) if isinstance(d.entry, Course) else -1
             for d in docs], dtype=np.int8,
        )
        courses = [i for i, d in enumerate(docs) if isinstance(d.entry, Course)]
        self._start_order = np.array(
            sorted(courses, key=lambda i: _start_order(docs[i].entry)), dtype=np.int64
        )
        self._placement_cache: dict[str | None, np.ndarray] = {}
        self._category_keys = {
            k: c for c in CATEGORIES if c != "other" for k in (key_sv(c), key_en(c))
        }
        self._course_keys = {k for w in lexicon.COURSE for k in (key_sv(w), key_en(w))}

    # -- the conversation ---------------------------------------------------

    def reply(
        self, messages: list[str], municipality: str | None = None, lang: Lang = "sv"
    ) -> Reply:
        messages = [m for m in messages if m and m.strip()][-MAX_TURNS:]
        if not messages:
            return Reply("handoff", lang, municipality=municipality)
        if self.knowledge.municipality(municipality) is None:
            municipality = None
        history = [analyse(m, self.index) for m in messages[:-1]]
        default_lang: Lang = history[-1].lang if history else lang
        last = analyse(messages[-1], self.index, default_lang)
        place = last.place or next((q.place for q in reversed(history) if q.place), None)
        place_muni = place.municipality if place else None
        muni = place_muni or municipality
        named = bool(last.named)  # a place in the story of a long message is no request
        if place and not named:
            last.places = [place]  # "Jag bor i Hoting." ... "kan jag plugga där?"
        if history and self._is_followup(last, named):
            previous = self.reply(messages[:-1], municipality, lang)
            followed = self._follow_up(last, named, history[-1], previous, muni)
            if followed:
                return followed
        return self._answer(last, muni, named=named, placed=place_muni is not None)

    def _is_followup(self, last: Query, named: bool) -> bool:
        content = last.content
        unknown = last.unknown
        if content and len(unknown) * 2 >= len(content):
            return False  # new words the knowledge does not know: judge the line alone
        short = len(content) <= 4
        return short and bool(
            last.intents & {"anaphora", "opener"} or named or len(content) <= 2
        )

    def _follow_up(
        self, last: Query, named: bool, before: Query, previous: Reply, muni: str | None
    ) -> Reply | None:
        main = previous.entries[0] if previous.entries else None
        if named and previous.kind in ("topic", "centre", "handoff"):
            own = self._answer(last, muni, named=True, placed=True)
            if own.kind != "handoff" and own.score >= 0.6:
                return own
            centre = self._local_centre(last, muni)
            if centre:
                return self._reply_with("centre", [centre], last, muni, own.score)
        if isinstance(main, Course) and not named:
            if last.intents & _CENTRE_INTENTS and main.municipality:
                centre = self._local_centre(last, main.municipality)
                if centre:
                    return self._reply_with("centre", [centre], last, main.municipality, 1.0)
            if last.intents & {"anaphora", "start", "distance"}:
                return self._reply_with("course", [main], last, muni, previous.score,
                                        focus=_focus(last))
        if isinstance(main, Centre) and not named and last.intents & {
            "anaphora", *_CENTRE_INTENTS
        }:
            return self._reply_with("centre", [main], last, muni, previous.score,
                                    focus=_focus(last))
        merged = Query(last.text, last.lang, last.words, list(last.terms), last.places,
                       set(last.intents))
        seen = {t.word for t in last.terms}
        merged.terms += [
            Term(t.word, t.keys, t.weight * HISTORY_WEIGHT, t.known, t.alts, t.partial, t.extra)
            for t in before.terms if t.word not in seen and t.known
        ]
        placed = bool(named or before.places)
        return self._answer(merged, muni, named=placed, placed=placed)

    # -- one message --------------------------------------------------------

    def _answer(self, query: Query, muni: str | None, named: bool, placed: bool) -> Reply:
        """Route one (possibly merged) message.

        `named`: the message itself names a place; `placed`: the conversation does.
        """
        ranked = self.rank(query, muni)
        if not ranked:
            return self._handoff(query, muni)
        best = ranked[0]
        entry = best.doc.entry
        courses = self._course_search(query, muni, placed, ranked)
        if courses:
            return courses
        confidence = self._confidence(query, ranked)
        if confidence < HANDOFF_SCORE or (
            query.unknown_focus and confidence < UNKNOWN_HANDOFF
            and len(query.content) <= SHORT_QUESTION and not english_words(query.words)
        ):
            return self._handoff(query, muni, confidence, ranked)
        best.score = max(best.score, confidence)
        centre = self._centre_route(query, muni, named, ranked)
        if centre:
            return centre
        reply = self._reply_with(entry.kind, [entry], query, muni, best.score, ranked)
        if not isinstance(entry, Centre):
            reply.centre = self._local_centre(query, muni, ranked)  # where to turn, nearby
        return reply

    def rank(self, query: Query, muni: str | None) -> list[Scored]:
        """Entries by how much of the message they answer, best first (top few only)."""
        index = self.index
        place = query.named[-1].place if query.named else None
        scores = coverage(index, query.terms) * self._placements(muni)
        if place:
            for i in self._centres:
                if place in index.docs[i].places:
                    scores[i] *= PLACE_BOOST
        top = [Scored(index.docs[i], float(scores[i]), int(i)) for i in _best(scores, CANDIDATES)]
        for s in top:
            s.score = _blend(s.score, phrase_fit(index, query.terms, s.index))
        top.sort(key=lambda s: s.score, reverse=True)
        return top

    def _confidence(self, query: Query, ranked: list[Scored]) -> float:
        """How sure the best entry answers: in a long message, the question itself counts."""
        best = ranked[0]
        focus = query.focus
        if len(focus) == len(query.content):
            return best.score
        on_focus = float(coverage(self.index, focus)[best.index])
        confidence = max(best.score, on_focus * FOCUS_TRUST)
        second = ranked[1].score if len(ranked) > 1 else 0.0
        if best.score >= LONG_FLOOR and best.score >= LONG_LEAD * second:
            # A long story matches little of anything; one entry far ahead is the answer.
            confidence = max(confidence, HANDOFF_SCORE)
        return confidence

    def _placements(self, muni: str | None) -> np.ndarray:
        """Per entry, how the learner's municipality weighs it (cached per municipality)."""
        found = self._placement_cache.get(muni)
        if found is None:
            placed = self._muni_code >= 0
            found = np.ones(len(self.index.docs))
            if muni:
                local = self._muni_code == self._muni_codes.get(muni, -2)
                found[placed & ~local] = ELSEWHERE
                found[local] = LOCAL_BOOST
            else:
                found[placed & ~self._is_course] = UNPLACED
            self._placement_cache[muni] = found
        return found

    # -- routes ---------------------------------------------------------------

    def _course_search(
        self, query: Query, muni: str | None, placed: bool, ranked: list[Scored]
    ) -> Reply | None:
        """Courses filtered by what the learner said: subject, category, place, distance."""
        category = self._category(query)
        asks_courses = any(set(t.keys) & self._course_keys for t in query.terms)
        best = ranked[0]
        distance = "distance" in query.intents
        by_category = category and (query.intents & {"many"} or distance) and not (
            query.intents & _CENTRE_INTENTS
        )
        if not (isinstance(best.doc.entry, Course) or asks_courses or by_category):
            return None
        placed = placed or bool(muni and "here" in query.intents)
        subject = [
            t for t in query.terms if not self._is_filter_term(t) and not self._generic(t)
        ]
        pool = self._is_course.copy()
        if category:
            pool &= self._category_code == CATEGORIES.index(category)
        if placed and muni:
            pool &= (self._muni_code == self._muni_codes.get(muni, -2)) | self._distance
        if subject:
            scores = coverage(self.index, subject) * self._placements(muni)
            if distance:  # asked for distance: those first, the rest still shown
                scores *= np.where(self._distance, DISTANCE_BOOST, 1 / DISTANCE_BOOST)
            scores[~pool] = 0.0
            found = [
                Scored(self.index.docs[i], float(scores[i]), int(i))
                for i in _best(scores, CANDIDATES)
            ]
            for s in found:
                s.score = _blend(s.score, phrase_fit(self.index, subject, s.index))
            found.sort(key=lambda s: s.score, reverse=True)
            if not found or found[0].score < COURSE_FIT:
                return None
            top = found[0].score
            ratio = LIST_RATIO if query.intents & {"many", "listing"} else SEARCH_RATIO
            shown = [s for s in found if s.score >= top * ratio]
            fit = min(top, 1.0)
        else:
            # "YH-utbildningar i Åre": all that fit the filters, that place's first.
            if not (category or asks_courses) or not (
                query.intents & {"listing", "many"} or placed or distance
            ):
                return None
            if distance and (pool & self._distance).any():
                pool &= self._distance
            if placed and muni:
                local = pool & (self._muni_code == self._muni_codes.get(muni, -2))
                pool = local if local.any() else pool
            chosen = self._start_order[pool[self._start_order]][:MAX_COURSES]
            shown = [Scored(self.index.docs[i], 1.0, int(i)) for i in chosen]
            fit = 1.0
        if not shown:
            return None
        if not isinstance(best.doc.entry, Course) and best.score > fit + 0.15 and not (
            query.intents & {"listing"} or placed
        ):
            return None  # a guidance topic answers this better than any course
        entries = [s.doc.entry for s in shown[:MAX_COURSES]]
        kind = "course" if len(entries) == 1 else "courses"
        return self._reply_with(kind, entries, query, muni, fit, ranked)

    def _generic(self, term: Term) -> bool:
        """A word so common ("läsa", "kurs") it names no subject.

        Common means in a good share of the courses, or of the guidance topics.
        """
        for group, share in (("courses", GENERIC_SHARE), ("guidance", GENERIC_GUIDANCE)):
            size = self.index.group_size[group]
            limit = max(share * size, GENERIC_MIN)
            df = self.index.group_df[group]
            if any(df.get(k, 0) > limit for k in (*term.keys, *term.alts)):
                return True
        return False

    def _category(self, query: Query) -> str | None:
        for term in query.terms:
            for key in (*term.keys, *term.alts):
                if key in self._category_keys:
                    return self._category_keys[key]
        return None

    def _is_filter_term(self, term: Term) -> bool:
        keys = {*term.keys, *term.alts}
        return bool(keys & self._course_keys or keys & self._category_keys.keys()) or bool(
            keys & _intent_word_keys()
        )

    def _centre_route(
        self, query: Query, muni: str | None, named: bool, ranked: list[Scored]
    ) -> Reply | None:
        """The learner's lärcentrum, when that is what the message asks for.

        A short question that names a place, or asks where or when, is about the
        place's centre unless an entry of that municipality answers it itself.
        """
        best = ranked[0]
        entry = best.doc.entry
        if not muni or (getattr(entry, "municipality", None) == muni and not isinstance(
            entry, Centre
        )):
            return None
        short = len(query.focus) <= SHORT_QUESTION
        if not (
            isinstance(entry, Centre) or query.intents & _CENTRE_INTENTS or (named and short)
        ):
            return None
        centre = self._local_centre(query, muni, ranked)
        if centre is None:
            return None
        if not (isinstance(entry, Centre) or query.intents & _CENTRE_INTENTS) and (
            self._offered(centre, query.focus) < CENTRE_OFFERS
        ):
            return None  # "I moved to Östersund, how do I learn Swedish?" is not a centre's
        return self._reply_with("centre", [centre], query, muni, best.score, ranked)

    def _offered(self, centre: Centre, terms: list[Term]) -> float:
        """The share of the terms (by rarity) found anywhere in the centre's texts."""
        doc = self.index.docs[self._positions[centre.id]]
        total = matched = 0.0
        for term in terms:
            weight = term.weight * term_idf(self.index, term, "guidance")
            total += weight
            if term.keys_in(doc.weights):
                matched += weight
        return matched / total if total else 1.0

    def _local_centre(
        self, query: Query, muni: str | None, ranked: list[Scored] | None = None
    ) -> Centre | None:
        if not muni:
            return None
        centres = self.knowledge.centres_in(muni)
        if not centres:
            return None
        place = query.place.place if query.place else None
        by_score = {s.doc.id: s.score for s in ranked or ()}
        name = self.knowledge.municipality(muni)
        main_name = fold(name.name.casefold()) if name else ""

        def preference(centre: Centre) -> tuple[int, float, int]:
            doc = self.index.docs[self._positions[centre.id]]
            names_place = 2 if place in doc.name_places else 1 if place in doc.places else 0
            is_main = 1 if main_name and main_name in fold(centre.name.casefold()) else 0
            return (names_place, by_score.get(centre.id, 0.0) + 0.1 * is_main, is_main)

        return max(centres, key=preference)

    def _handoff(
        self, query: Query, muni: str | None, score: float = 0.0,
        ranked: list[Scored] | None = None,
    ) -> Reply:
        reply = self._reply_with("handoff", [], query, muni, score, ranked)
        reply.centre = self._local_centre(query, muni)
        return reply

    def _reply_with(
        self, kind: str, entries: list, query: Query, muni: str | None, score: float,
        ranked: list[Scored] | None = None, focus: str | None = None,
    ) -> Reply:
        ranked = ranked or []
        shown = {e.id for e in entries}
        others = [s for s in ranked if s.doc.id not in shown]
        second = others[0] if others else None
        return Reply(
            kind=kind,  # type: ignore[arg-type]
            lang=query.lang,
            entries=entries,
            municipality=muni,
            score=round(score, 3),
            margin=round(score - second.score, 3) if second else round(score, 3),
            runner_up=second.doc.id if second else None,
            focus=focus or _focus(query),
        )


def _best(scores: np.ndarray, count: int) -> list[int]:
    """Indices of the highest positive scores, best first."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > count:
        positive = positive[np.argpartition(-scores[positive], count - 1)[:count]]
    return sorted(positive.tolist(), key=lambda i: (-scores[i], i))


def _blend(score: float, fit: float) -> float:
    """Word overlap with the whole entry, and with its closest single question."""
    return (1 - PHRASE_SHARE) * score + PHRASE_SHARE * fit * min(score * 2, 1.0)


def _focus(query: Query) -> str | None:
    for intent in ("start", "hours", "where", "distance", "contact"):
        if intent in query.intents:
            return intent
    return None


def _start_order(course: Course) -> tuple[int, date | str]:
    if isinstance(course.start, date):
        return (0, course.start)
    return (1, course.title)


_INTENT_KEYS: set[str] = set()


def _intent_word_keys() -> set[str]:
    if not _INTENT_KEYS:
        words = (lexicon.WHERE | lexicon.HOURS | lexicon.START | lexicon.DISTANCE
                 | lexicon.LISTING | lexicon.CONTACT)
        _INTENT_KEYS.update(k for w in words for k in (key_sv(w), key_en(w)))
    return _INTENT_KEYS
