"""The matcher: from the conversation so far to one reply.

Analyses the message, judges its candidate entries (features and a fitted
model, see features.py and model.py), then lets the decision table
(decide.py) choose: a guidance topic, the local lärcentrum, one course, a
course search, "did you mean", or an honest hand-off when nothing fits well.
"""

from __future__ import annotations

from dataclasses import replace

from ..catalogue import say
from ..knowledge.model import Centre, Course, Knowledge, Topic
from ..text.language import Lang
from .centres import Centres
from .courses import CourseSearch
from .decide import Judged, decide
from .defaults import default_model
from .features import Featurizer
from .followups import Shown, picked, restore, same_place_and_form
from .index import Index
from .model import Model
from .own import OwnQuestions
from .query import CENTRE_INTENTS, MAIN_FIELD, Query, analyse
from .ranking import Ranker, Scored
from .reply import Reply
from .scoring import coverage
from .semantic import SemanticIndex
from .smalltalk import Heard, SmallTalkMatcher

MAX_TURNS = 4
HISTORY_WEIGHT = 0.5
SHORT_QUESTION = 5  # content words: a short question naming a place is about its centre
SUBJECT_KNOWN = 0.3  # where/when of something a guidance entry knows: the centre answers



class Matcher:
    """Answers from one knowledge version.

    `model`: the fitted weights (fitting.py); the shipped defaults until a fit
    for this knowledge is ready. `semantic`: the e5 index of the knowledge's
    texts, or None to answer on lexical features alone. `lexical`: the model
    fitted beside `model` without the signal; a message it is sure of (the
    model's `sure`) is answered without embedding it. `ablated`: decision rows
    switched off, for the benchmark's ablations.
    """

    def __init__(
        self, knowledge: Knowledge, *, model: Model | None = None,
        semantic: SemanticIndex | None = None, ablated: frozenset[str] = frozenset(),
    ) -> None:
        self.knowledge = knowledge
        self.index = Index(knowledge)
        self.ranker = Ranker(knowledge, self.index)
        self.courses = CourseSearch(self.ranker)
        self.centres = Centres(knowledge, self.ranker)
        self.smalltalk = SmallTalkMatcher(knowledge)
        self.own = OwnQuestions(knowledge)
        self.featurizer = Featurizer(self)
        self.semantic = semantic
        self.model = model or default_model(semantic=semantic is not None)
        self.lexical: Model | None = None
        self.ablated = ablated

    def positions(self) -> dict[str, int]:
        """Entry id -> its row in the index, for a semantic index built to match."""
        return dict(self.ranker.positions)

    def with_(self, *, model: Model | None = None, semantic: SemanticIndex | None = None,
              lexical: Model | None = None) -> Matcher:
        """The same index with another model or semantic signal (no rebuild)."""
        other = object.__new__(Matcher)
        other.__dict__.update(self.__dict__)
        other.featurizer = Featurizer(other)
        if model is not None:
            other.model = model
        if semantic is not None:
            other.semantic = semantic
        if lexical is not None:
            other.lexical = lexical
        return other

    # -- the conversation ---------------------------------------------------

    def reply(
        self, messages: list[str], municipality: str | None = None, lang: Lang = "sv",
        shown: Shown | None = None,
    ) -> Reply:
        """The reply to the last message; `shown`: what the reply before it showed
        (from the signed context), else the earlier turns are answered again."""
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
        heard = self.smalltalk.hear(messages[-1])
        if heard:
            return self._small_talk(heard, last, muni)
        named = bool(last.named)  # a place in the story of a long message is no request
        if place and not named:
            last.places = [place]  # "Jag bor i Hoting." ... "kan jag plugga där?"
        previous = None
        if history:
            previous = restore(shown, self.knowledge) if shown else None
            if previous is None:
                previous = self.reply(messages[:-1], municipality, lang)
        own = self._own_question(last, muni)
        if own:
            return own
        if previous and previous.kind != "smalltalk":
            chosen = self._picked(last, previous, muni)
            if chosen:
                return chosen
            if self._is_followup(last, named):
                followed = self._follow_up(last, named, history[-1], previous, muni)
                if followed and last.intents & CENTRE_INTENTS and _repeats(followed, previous):
                    # The same reply again tells the learner nothing: the message alone.
                    alone = self._answer(last, muni, named=named,
                                         placed=place_muni is not None)
                    followed = alone
                if followed:
                    followed.subject = _subject(last) or previous.subject
                    return self._kept_to(followed, last, previous, muni)
        reply = self._answer(last, muni, named=named, placed=place_muni is not None)
        reply.category = reply.category or self._category(reply, last)
        reply.subject = _subject(last)
        return reply

    def _own_question(self, last: Query, muni: str | None) -> Reply | None:
        """A message that is one of an entry's own questions gets that entry, in a
        conversation too: a counsellor writes questions that stand on their own."""
        entry_id = self.own.entry_for(last.text)
        entry = self.knowledge.entry(entry_id) if entry_id else None
        if not isinstance(entry, Topic):
            return None
        reply = self._reply_with("topic", [entry], last, muni, 1.0)
        reply.centre = self.centres.local(last, muni)
        reply.category = self.courses.category(last)
        reply.subject = _subject(last)
        return reply

    def _category(self, reply: Reply, query: Query) -> str | None:
        """The school form a reply is about: the one asked for, or its course's."""
        main = reply.entries[0] if reply.entries else None
        if isinstance(main, Course) and reply.kind == "course":
            return main.category
        return self.courses.category(query)

    def _small_talk(self, heard: Heard, query: Query, muni: str | None) -> Reply:
        lang = heard.lang or query.lang
        if not heard.entry.handoff:
            return Reply("smalltalk", lang, municipality=muni, smalltalk=heard.entry)
        # Asked for a person: hand off on purpose, with the guidance contact.
        reply = self.handoff(replace(query, lang=lang), muni)
        reply.smalltalk = heard.entry
        contact = self._guidance_contact(lang, muni)
        if contact:
            reply.entries = [contact]
        return reply

    def _guidance_contact(self, lang: Lang, muni: str | None) -> Topic | None:
        """The municipality's own topic on reaching a counsellor, where it has one."""
        if not muni:
            return None
        asked = analyse(say(lang, "suggest_counsellor"), self.index, lang)
        for scored in self.rank(asked, muni)[:3]:
            entry = scored.doc.entry
            if isinstance(entry, Topic) and entry.municipality == muni:
                return entry
        return None

    def _picked(self, last: Query, previous: Reply, muni: str | None) -> Reply | None:
        """"Den andra" after a list: that entry, as if asked for by name."""
        position = picked(last.text, previous)
        if position is None:
            return None
        entry = previous.entries[position]
        reply = self._reply_with(entry.kind, [entry], last, muni, 1.0)
        reply.category = previous.category
        if not isinstance(entry, Centre):
            reply.centre = self.centres.local(last, muni)
        return reply

    def _kept_to(self, reply: Reply, last: Query, previous: Reply, muni: str | None) -> Reply:
        """A follow-up keeps to the conversation's school form and place: never a
        course of another ("sfi i krokom" ... "när börjar kursen?")."""
        category = previous.category
        reply.category = reply.category or category
        if reply.kind not in ("course", "courses") or not category or not (
            last.intents & {"start", "distance", "anaphora", "where", "here"}
        ):
            return reply  # "vad kan jag läsa sen?" may lead to another school form
        kept = [e for e in reply.entries
                if isinstance(e, Course) and same_place_and_form(e, muni, category)]
        if kept == reply.entries:
            return reply
        if kept:
            reply.entries = kept
            reply.kind = "course" if len(kept) == 1 else "courses"
            return reply
        return self._no_courses(last, muni, category)

    def _no_courses(self, last: Query, muni: str | None, category: str | None) -> Reply:
        """The school form has no course in the place: say so, and where to ask."""
        reply = self._reply_with("courses", [], last, muni, 0.0)
        reply.category = category
        reply.centre = self.centres.local(last, muni)
        return reply

    def _about_form(self, last: Query, course: Course, muni: str | None) -> Reply | None:
        """"Vad kostar det?" after a course asks what its school form costs: the
        guidance topic that answers the question with the school form's name,
        unless the course's own text holds what is asked."""
        if "anaphora" not in last.intents or last.intents & {
            "start", "distance", "listing", "many", *CENTRE_INTENTS  # "vilken nivå är det?"
        } or not last.subject or course.category == "other":
            return None
        own = float(coverage(self.index, last.subject)[self.ranker.positions[course.id]])
        if own >= SUBJECT_KNOWN:
            return None  # "Vilken nivå är det?": the course itself says
        form = say(last.lang, f"form_{course.category}")  # "högskola och universitet"
        asked = analyse(f"{last.text} {form}", self.index, last.lang)
        reply = self._answer(asked, muni, named=False, placed=False)
        if reply.kind != "topic" or reply.handoff:
            return None
        reply.category = course.category
        return reply

    def _form_courses(
        self, last: Query, before: Query, previous: Reply, muni: str | None
    ) -> Reply | None:
        """"När börjar kursen?" after a topic: that school form's courses in the
        conversation's place (or the courses the earlier question finds), soonest
        first, or that there are none."""
        category = previous.category
        asks = "start" in last.intents or ("anaphora" in last.intents and any(
            set(t.keys) & self.courses.course_keys for t in last.terms))
        if not asks or previous.kind not in ("topic", "centre"):
            return None
        if category and muni:
            found = [c for c in self.knowledge.courses
                     if c.category == category and c.municipality == muni]
        else:
            ranked = self.rank(before, muni)
            search = self.courses.search(before, muni, bool(muni), ranked) if ranked else None
            found = [c for c in (search.courses if search else [])
                     if same_place_and_form(c, muni, category)]
        if not found:
            return self._no_courses(last, muni, category)
        found.sort(key=lambda c: (not hasattr(c.start, "isoformat"), str(c.start or "")))
        kind = "course" if len(found) == 1 else "courses"
        reply = self._reply_with(kind, found[:10], last, muni, 1.0, focus="start")
        reply.category = category
        return reply

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
        if not named:
            listed = self._form_courses(last, before, previous, muni)
            if listed:
                return listed
        if named and previous.kind == "handoff" and not last.subject:
            # "Krokom", the municipality chosen after a hand-off: where to turn there
            contact = self._guidance_contact(last.lang, muni)
            centre = self.centres.local(last, muni)
            if contact:
                reply = self._reply_with("topic", [contact], last, muni, 1.0)
                reply.centre = centre
                return reply
            if centre:
                return self._reply_with("centre", [centre], last, muni, 1.0)
        if named and previous.kind in ("topic", "centre", "handoff"):
            own = self._answer(last, muni, named=True, placed=True)
            if own.kind != "handoff" and own.score >= 0.6:
                return own
            centre = self.centres.local(last, muni)
            if centre:
                return self._reply_with("centre", [centre], last, muni, own.score)
        if isinstance(main, Course) and not named:
            about_form = self._about_form(last, main, muni)
            if about_form:
                return about_form
            if last.intents & CENTRE_INTENTS and main.municipality:
                centre = self.centres.local(last, main.municipality)
                if centre:
                    return self._reply_with("centre", [centre], last, main.municipality, 1.0)
            if last.intents & {"anaphora", "start", "distance"}:
                return self._reply_with("course", [main], last, muni, previous.score,
                                        focus=_focus(last))
        if isinstance(main, Centre) and not named and last.intents & {
            "anaphora", *CENTRE_INTENTS
        }:
            return self._reply_with("centre", [main], last, muni, previous.score,
                                    focus=_focus(last))
        merged = Query(last.text, last.lang, last.words, list(last.terms), last.places,
                       set(last.intents) | (before.intents & {"study"}))
        seen = {t.word for t in last.terms}
        merged.terms += [
            replace(t, weight=t.weight * HISTORY_WEIGHT)
            for t in before.terms if t.word not in seen and t.known
        ]
        placed = bool(named or before.places)
        # "Kan jag skriva tentor där?" names the earlier place again.
        named = named or bool(before.places and "anaphora" in last.intents)
        return self._answer(merged, muni, named=named, placed=placed)

    # -- one message --------------------------------------------------------

    def _answer(self, query: Query, muni: str | None, named: bool, placed: bool) -> Reply:
        """Route one (possibly merged) message through the decision table.

        `named`: the message itself names a place; `placed`: the conversation does.
        """
        judged = self.judge(query, muni)
        return decide(self, judged, muni, named=named, placed=placed)

    def judge_text(self, text: str, municipality: str | None = None) -> Judged:
        """One message on its own, judged as `reply` judges a first message."""
        query = analyse(text, self.index)
        place = query.place
        muni = (place.municipality if place else None) or municipality
        if place and not query.named:
            query.places = [place]
        return self.judge(query, muni)

    def judge(self, query: Query, muni: str | None) -> Judged:
        """The message's candidates, their features and their fitted chances."""
        covered = coverage(self.index, query.terms)
        scores = self.ranker.scores(query, muni, covered)
        ranked = self.ranker.top(scores, query.terms)
        asks = not ranked or self._asks_course(query, ranked[0])
        if not asks:
            # "Kan mina barn få plats på förskolan?" asks for no education; words
            # only courses know ("bussen" of a bus driver course) are then unknown.
            ranked = [s for s in ranked if not isinstance(s.doc.entry, Course)]
            query = replace(query, terms=[
                replace(t, known=False) if t.known and not self.index.in_group(t, "guidance")
                else t for t in query.terms
            ])
        categories = self.courses.categories(query)
        if self.semantic and self.lexical and self.model.sure <= 1.0:
            found = self.featurizer.candidates(
                query, muni, ranked, covered, scores, None, asks, categories)
            chances = self.lexical.chances(found.rows)
            if len(chances) and chances.max() >= self.model.sure:
                return Judged(query, ranked, found, chances, self.lexical)
        semantic = self.semantic.scores(query.text) if self.semantic else None
        found = self.featurizer.candidates(
            query, muni, ranked, covered, scores, semantic, asks, categories)
        chances = self.model.chances(found.rows)
        return Judged(query, ranked, found, chances, self.model)

    def _asks_course(self, query: Query, best: Scored) -> bool:
        """Whether a course may answer: the message asks to study or for a trade,
        names a school form, half the course's title or its provider, or is all
        about what the course is about
        ("förskollärare"; not "kan mina barn få plats på förskolan?")."""
        entry = best.doc.entry
        if not isinstance(entry, Course) or "study" in query.intents:
            return True
        keys = {k for t in query.terms if not t.partial for k in (*t.keys, *t.alts)}
        if any(len(name & keys) * 2 >= len(name) for name in self.index.name_keys(entry)):
            return True
        subject = query.subject
        return bool(subject) and all(
            self.index.field_weight(t, best.index) >= MAIN_FIELD for t in subject
        )

    def rank(self, query: Query, muni: str | None) -> list[Scored]:
        return self.ranker.rank(query, muni)

    # -- routes (the decision table's actions) ---------------------------------

    def course_search(
        self, query: Query, muni: str | None, placed: bool, ranked: list[Scored]
    ) -> Reply | None:
        found = self.courses.search(query, muni, placed, ranked)
        if found is None:
            return None
        if not found.courses:
            return self._no_courses(query, muni, found.category)
        # Distance courses instead of local ones come as a list, under the line
        # that says none are in the place.
        one = len(found.courses) == 1 and not found.distance_instead
        reply = self._reply_with("course" if one else "courses", found.courses, query, muni,
                                 found.fit, ranked)
        reply.category = reply.category or found.category
        reply.distance_instead = found.distance_instead
        return reply

    def centre_route(
        self, query: Query, muni: str | None, named: bool, ranked: list[Scored], *,
        asked: bool, threshold: float,
    ) -> Reply | None:
        """The learner's lärcentrum, when that is what the message asks for.

        `asked`: the message asks where, when or how to reach; else a short one
        naming a place (or a centre as the best candidate). The centre must offer
        what is asked, or, for a where/when question, the best entry must answer
        surely and know the subject ("Var kan jag skriva min salstentamen?"); and
        no entry of that municipality answers it itself.
        """
        if not ranked or not muni:
            return None
        best = ranked[0]
        entry = best.doc.entry
        if getattr(entry, "municipality", None) == muni and not isinstance(entry, Centre):
            return None
        where = bool(query.intents & CENTRE_INTENTS)
        if asked != where:
            return None
        short = len(query.focus) <= SHORT_QUESTION
        if not (isinstance(entry, Centre) or where or (named and short)):
            return None
        centre = self.centres.local(query, muni, ranked)
        if centre is None:
            return None
        knows = best.score >= threshold and float(
            coverage(self.index, query.subject)[best.index]) >= SUBJECT_KNOWN
        if not self.centres.answers(centre, query) and not (where and knows):
            return None  # "I moved to Östersund, how do I learn Swedish?" is not a centre's
        return self._reply_with("centre", [centre], query, muni, best.score, ranked)

    def entry_reply(self, query: Query, muni: str | None, ranked: list[Scored]) -> Reply:
        entry = ranked[0].doc.entry
        reply = self._reply_with(entry.kind, [entry], query, muni, ranked[0].score, ranked)
        if not isinstance(entry, Centre):
            reply.centre = self.centres.local(query, muni, ranked)  # where to turn, nearby
        return reply

    def clarify(self, query: Query, muni: str | None, ranked: list[Scored]) -> Reply:
        """"Did you mean ...?": the few entries that are close, none clearly ahead."""
        entries = [s.doc.entry for s in ranked]
        return self._reply_with("clarify", entries, query, muni, ranked[0].score, ranked)

    def handoff(
        self, query: Query, muni: str | None, score: float = 0.0,
        ranked: list[Scored] | None = None,
    ) -> Reply:
        reply = self._reply_with("handoff", [], query, muni, score, ranked)
        reply.centre = self.centres.local(query, muni)
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


def _repeats(reply: Reply, previous: Reply) -> bool:
    """The same topic again, asked where or how to reach ("Var ligger lärcentrum?"
    after a CSN topic). A centre or a course asked again answers the new question
    from the same card ("can I write my exam there?")."""
    return (reply.kind == previous.kind == "topic"
            and [e.id for e in reply.entries] == [e.id for e in previous.entries])


def _subject(query: Query) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.word for t in query.subject if t.known))


def _focus(query: Query) -> str | None:
    for intent in ("start", "hours", "where", "distance", "contact"):
        if intent in query.intents:
            return intent
    return None
