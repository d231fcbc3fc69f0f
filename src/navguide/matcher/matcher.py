"""The matcher: from the conversation so far to one reply.

Scores every entry by the learner's words (rare words count more, words in
questions and titles more than in explanations), weighs in the place the
learner named, then routes: a guidance topic, the local lärcentrum, one
course, a course search, or an honest hand-off when nothing fits well.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from ..knowledge.model import Centre, Course, Knowledge, Topic
from ..text.language import Lang
from ..text.normalize import fold
from .index import Doc, Index
from .query import Query, Term, analyse, folded_content
from .reply import Reply

MAX_TURNS = 4
LOCAL_BOOST = 1.4  # an entry of the learner's municipality
ELSEWHERE = 0.45  # an entry of another municipality
PLACE_BOOST = 1.2  # a centre whose texts name the learner's place
FUZZY_SHARE = 0.25  # how much whole-question similarity adds to word overlap
CANDIDATES = 25
SEARCH_RATIO = 0.7  # courses this close to the best are listed with it
MAX_COURSES = 10
HANDOFF_SCORE = 0.33  # below this share of the message matched: hand off
HISTORY_WEIGHT = 0.5


@dataclass
class Scored:
    doc: Doc
    score: float


class Matcher:
    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.index = Index(knowledge)

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
        place_muni = last.municipality or next(
            (q.municipality for q in reversed(history) if q.municipality), None
        )
        muni = place_muni or municipality
        if history and self._is_followup(last):
            previous = self.reply(messages[:-1], municipality, lang)
            followed = self._follow_up(last, history[-1], previous, muni)
            if followed:
                return followed
        return self._answer(last, muni, explicit=place_muni is not None)

    def _is_followup(self, last: Query) -> bool:
        content = last.content
        unknown = last.unknown
        if content and len(unknown) * 2 >= len(content):
            return False  # new words the knowledge does not know: judge the line alone
        short = len(content) <= 4
        return short and bool(
            last.intents & {"anaphora", "opener"} or last.places or len(content) <= 2
        )

    def _follow_up(
        self, last: Query, before: Query, previous: Reply, muni: str | None
    ) -> Reply | None:
        main = previous.entries[0] if previous.entries else None
        if last.places and previous.kind in ("topic", "centre", "handoff"):
            own = self._answer(last, muni, explicit=True)
            if own.kind != "handoff" and own.score >= 0.6:
                return own
            centre = self._local_centre(last, muni)
            if centre:
                return self._reply_with("centre", [centre], last, muni, own.score)
        if isinstance(main, Course) and not last.places:
            if last.intents & {"where", "hours", "contact"} and main.municipality:
                centre = self._local_centre(last, main.municipality)
                if centre:
                    return self._reply_with("centre", [centre], last, main.municipality, 1.0)
            if last.intents & {"anaphora", "start", "distance"}:
                return self._reply_with("course", [main], last, muni, previous.score,
                                        focus=_focus(last))
        if isinstance(main, Centre) and not last.places and last.intents & {
            "anaphora", "hours", "where", "contact"
        }:
            return self._reply_with("centre", [main], last, muni, previous.score,
                                    focus=_focus(last))
        merged = Query(last.text, last.lang, last.words, list(last.terms), last.places,
                       set(last.intents))
        seen = {t.word for t in last.terms}
        merged.terms += [
            Term(t.word, t.keys, t.weight * HISTORY_WEIGHT, t.known)
            for t in before.terms if t.word not in seen and t.known
        ]
        return self._answer(merged, muni, explicit=bool(last.places or before.places))

    # -- one message --------------------------------------------------------

    def _answer(self, query: Query, muni: str | None, explicit: bool) -> Reply:
        ranked = self.rank(query, muni)
        if not ranked:
            return self._handoff(query, muni)
        best = ranked[0]
        entry = best.doc.entry
        if isinstance(entry, Centre) or (
            muni and query.intents & {"where", "hours", "contact"} and not isinstance(entry, Course)
            and not (isinstance(entry, Topic) and entry.municipality == muni)
        ):
            centre = self._local_centre(query, muni, ranked) if muni else entry
            if isinstance(centre, Centre) and best.score >= HANDOFF_SCORE * 0.7:
                return self._reply_with("centre", [centre], query, muni, best.score, ranked)
        if best.score < HANDOFF_SCORE:
            return self._handoff(query, muni, best.score, ranked)
        if isinstance(entry, Course):
            return self._courses(query, muni, ranked)
        return self._reply_with("topic", [entry], query, muni, best.score, ranked)

    def rank(self, query: Query, muni: str | None) -> list[Scored]:
        index = self.index
        mass = sum(
            t.weight * max((index.idf_of(k) for k in t.keys), default=index.max_idf)
            for t in query.content
        )
        if mass <= 0:
            return []
        totals: dict[int, float] = {}
        for term in query.terms:
            best: dict[int, float] = {}
            for key in term.keys:
                idf = index.idf.get(key)
                if idf is None:
                    continue
                for i, weight in index.postings[key]:
                    value = idf * weight
                    if value > best.get(i, 0.0):
                        best[i] = value
            for i, value in best.items():
                totals[i] = totals.get(i, 0.0) + value * term.weight
        place = query.places[-1].place if query.places else None
        scored = []
        for i, total in totals.items():
            doc = index.docs[i]
            score = min(total / mass, 1.0)
            if muni and doc.municipality:
                score *= LOCAL_BOOST if doc.municipality == muni else ELSEWHERE
            if place and isinstance(doc.entry, Centre) and place in doc.places:
                score *= PLACE_BOOST
            scored.append(Scored(doc, score))
        scored.sort(key=lambda s: s.score, reverse=True)
        top = scored[:CANDIDATES]
        text = folded_content(query)
        if text:
            for s in top:
                similarity = max(
                    (fuzz.token_set_ratio(text, p) for p in s.doc.phrases), default=0.0
                ) / 100
                s.score *= 1 - FUZZY_SHARE + FUZZY_SHARE * similarity * 1.3
            top.sort(key=lambda s: s.score, reverse=True)
        return top

    # -- routes ---------------------------------------------------------------

    def _local_centre(
        self, query: Query, muni: str | None, ranked: list[Scored] | None = None
    ) -> Centre | None:
        if not muni:
            return None
        centres = self.knowledge.centres_in(muni)
        if not centres:
            return None
        place = query.places[-1].place if query.places else None
        by_score = {s.doc.id: s.score for s in ranked or ()}
        name = self.knowledge.municipality(muni)
        main_name = fold(name.name.casefold()) if name else ""

        def preference(centre: Centre) -> tuple[float, float, float]:
            doc = self.index.docs[self._doc_index(centre.id)]
            names_place = 1.0 if place and place in doc.places else 0.0
            is_main = 1.0 if main_name and main_name in fold(centre.name.casefold()) else 0.0
            return (names_place, by_score.get(centre.id, 0.0), is_main)

        return max(centres, key=preference)

    def _doc_index(self, entry_id: str) -> int:
        if not hasattr(self, "_positions"):
            self._positions = {d.id: i for i, d in enumerate(self.index.docs)}
        return self._positions[entry_id]

    def _courses(self, query: Query, muni: str | None, ranked: list[Scored]) -> Reply:
        courses = [s for s in ranked if isinstance(s.doc.entry, Course)]
        if "distance" in query.intents:
            remote = [s for s in courses if s.doc.entry.distance]  # type: ignore[union-attr]
            courses = remote or courses
        top = courses[0].score
        shown = [s for s in courses if s.score >= top * SEARCH_RATIO][:MAX_COURSES]
        kind = "course" if len(shown) == 1 else "courses"
        return self._reply_with(kind, [s.doc.entry for s in shown], query, muni, top, ranked)

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


def _focus(query: Query) -> str | None:
    for intent in ("start", "hours", "where", "distance", "contact"):
        if intent in query.intents:
            return intent
    return None
