"""One learner message, analysed: its terms, places, language and intents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from itertools import pairwise

from ..text import lexicon
from ..text.language import Lang, detect
from ..text.lexicon import is_stop
from ..text.normalize import fold, words_with_case
from ..text.scope import about_a_child, asks_for_a_job
from .index import Index
from .places import PlaceHit
from .terms import Term
from .vocabulary import Found, key_en, key_sv, word_keys

STORY_WEIGHT = 0.55  # words outside the question sentence of a long message
LONG_MESSAGE = 14  # words; shorter messages are taken whole ...
TWO_SENTENCES = 8  # ... unless they have two sentences and at least this many words
RESIDENCE_GAP = 3  # words between "bor" and the place: "bor nu i Bräcke"
MIN_INTENT_KEY = 5  # a misspelt intent word is known by its key, if long enough ("öppetider")
MIN_STUDY_HEAD = 5  # a compound ending in a study word this long asks to study
MAIN_FIELD = 0.7  # field weight of what an entry is about (titles, questions, keywords)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class Query:
    text: str
    lang: Lang
    words: list[str]
    terms: list[Term] = field(default_factory=list)
    places: list[PlaceHit] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    named: list[PlaceHit] = field(default_factory=list)  # places in the question itself

    @property
    def content(self) -> list[Term]:
        return [t for t in self.terms if not t.extra]

    @property
    def unknown(self) -> list[Term]:
        return [t for t in self.terms if not t.known]

    @property
    def focus(self) -> list[Term]:
        """The terms of the question itself (all of a short message)."""
        return [t for t in self.content if t.weight >= 1.0]

    @property
    def subject(self) -> list[Term]:
        """The question's terms about something, beyond asking where, when or to study."""
        return [t for t in self.focus if not _asks_about_fields(t)]

    @property
    def unknown_focus(self) -> list[Term]:
        """Words of the question the knowledge lacks, only guessed at, or knows
        only in passing ("skolmat": "mat" in a course description)."""
        return [t for t in self.focus if not t.known or t.guessed or t.passing]

    @property
    def place(self) -> PlaceHit | None:
        """Where the learner is: the place they say they live in, else the last named."""
        for hit in self.places:
            before = self.words[max(hit.start - RESIDENCE_GAP, 0) : hit.start]
            if lexicon.RESIDENCE & set(before):
                return hit
        return self.places[-1] if self.places else None

    @property
    def municipality(self) -> str | None:
        return self.place.municipality if self.place else None

    def keys(self) -> set[str]:
        return {k for t in self.terms for k in (*t.keys, *t.alts)}


class Intent(StrEnum):
    """What a message asks besides its subject. A str, so `"where" in query.intents`
    reads as it always did."""

    WHERE = "where"  # where a centre or course is
    HOURS = "hours"  # a centre's opening hours
    START = "start"  # when a course starts
    DISTANCE = "distance"  # study at a distance
    LISTING = "listing"  # a list of what there is
    CONTACT = "contact"  # how to reach someone
    ANAPHORA = "anaphora"  # points back to the previous answer ("är den på distans?")
    HERE = "here"  # the widget's own municipality ("can I train here?")
    MANY = "many"  # several at once ("vilka orter")
    OPENER = "opener"  # opens a follow-up ("och i Åre då?")
    STUDY = "study"  # asks to study, or for a trade
    CHILD = "child"  # about a child's school (out of scope)
    JOB = "job"  # a job or a wage (out of scope)


# Intents read from the message's words, each with its list in text/lexicon.yaml.
_WORDED = (Intent.WHERE, Intent.HOURS, Intent.START, Intent.DISTANCE, Intent.LISTING,
           Intent.CONTACT, Intent.ANAPHORA, Intent.HERE, Intent.MANY)

# What a centre answers and no course does: where it is, its hours, how to reach it.
CENTRE_INTENTS = frozenset({Intent.WHERE, Intent.HOURS, Intent.CONTACT})


@cache
def _intents() -> dict[Intent, frozenset[str]]:
    return {intent: getattr(lexicon, intent.name) for intent in _WORDED}


@cache
def _intent_words() -> frozenset[str]:
    return frozenset().union(*_intents().values())


@cache
def intent_keys() -> dict[str, frozenset[str]]:
    """Intent words as keys, so "öppetider" (misspelt) still asks for hours."""
    return {name: word_keys(vocab) for name, vocab in _intents().items()}


def analyse(text: str, index: Index, default_lang: Lang = "sv") -> Query:
    typed = words_with_case(text)
    lowered = [w.casefold() for w in typed]
    query = Query(text=text, lang=detect(lowered, default_lang), words=lowered)
    query.places = index.gazetteer.find(typed)
    in_place = {i for hit in query.places for i in range(hit.start, hit.end)}
    weights = _word_weights(text, len(typed))
    query.named = [hit for hit in query.places if weights[hit.start] >= 1.0]
    tokens = [(w, weights[i]) for i, w in enumerate(lowered) if i not in in_place]
    query.terms = [
        replace(t, passing=True) if t.partial and _in_passing(t, index) else t
        for t in _terms(tokens, index)
    ]
    _expand_synonyms(query, index)
    # What the learner asks of an entry is in the question, not in the story around it.
    asked = {w for w, weight in zip(lowered, weights, strict=True) if weight >= 1.0}
    query.intents = {name for name, vocab in _intents().items() if vocab & asked}
    keys = {k for t in query.focus for k in t.keys if len(k) >= MIN_INTENT_KEY}
    query.intents |= {name for name, vocab in intent_keys().items() if vocab & keys}
    if lowered and lowered[0] in lexicon.FOLLOWUP_OPENERS:
        query.intents.add(Intent.OPENER)
    if any(_asks_study(w) for w in lowered) or any(
        w in lexicon.BECOME and following not in lexicon.ANAPHORA
        for w, following in pairwise([*lowered, ""])
    ):
        query.intents.add(Intent.STUDY)
    if about_a_child(lowered, Intent.STUDY in query.intents, query.lang):
        query.intents.add(Intent.CHILD)
    if asks_for_a_job(lowered, query.lang):
        query.intents.add(Intent.JOB)
    return query


def _asks_about_fields(term: Term) -> bool:
    """Words any centre or course answers: "öppettider", "var", "plugga"."""
    keys = set(term.keys)
    return (
        term.word in _intent_words() or _asks_study(term.word)
        or any(keys & vocab for vocab in intent_keys().values())
    )


@cache
def _study_words() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    folded = frozenset(fold(w) for w in lexicon.STUDY)
    heads = tuple(w for w in folded if len(w) >= MIN_STUDY_HEAD) + tuple(
        fold(w) for w in lexicon.COURSE  # "folkhögskolekurs"
    )
    keys = frozenset(k for k in word_keys(lexicon.STUDY) if len(k) >= MIN_STUDY_HEAD - 1)
    return folded, heads, keys


def _asks_study(word: str) -> bool:
    """A word about studying, or a compound ending in one ("truckutbildning")."""
    folded_words, heads, keys = _study_words()
    folded = fold(word)
    return (
        folded in folded_words or key_sv(word) in keys or key_en(word) in keys
        or folded.endswith(heads)
    )


def _word_weights(text: str, count: int) -> list[float]:
    """In a long message the question counts; the story around it counts less.

    The question is the sentences ending in "?" (else the last one), with the
    sentence before when the question alone says little ("Hur fungerar det?").
    """
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    if count < LONG_MESSAGE and (count < TWO_SENTENCES or len(sentences) < 2):
        return [1.0] * count
    words_of = [words_with_case(s) for s in sentences]
    asked = [i for i, s in enumerate(sentences) if s.rstrip().endswith("?")]
    focus = set(asked) if asked else {len(sentences) - 1}
    content = sum(1 for i in focus for w in words_of[i] if not is_stop(w.casefold()))
    if content < 2 and min(focus) > 0:
        focus.add(min(focus) - 1)
    weights: list[float] = []
    for i, found in enumerate(words_of):
        weights += [1.0 if i in focus else STORY_WEIGHT] * len(found)
    return (weights + [1.0] * count)[:count]


def _terms(tokens: list[tuple[str, float]], index: Index) -> list[Term]:
    vocabulary = index.vocabulary
    terms: list[Term] = []
    i = 0
    while i < len(tokens):
        word, weight = tokens[i]
        if (
            i + 1 < len(tokens) and not is_stop(word) and not is_stop(tokens[i + 1][0])
            and vocabulary.knows_surface(word + tokens[i + 1][0])
        ):
            joined = word + tokens[i + 1][0]  # "yrkes vux" -> "yrkesvux"
            parts = tuple(dict.fromkeys(
                k for w in (word, tokens[i + 1][0]) for k in (key_sv(w), key_en(w))))
            terms.append(Term(joined, vocabulary.lookup(joined).keys, weight, parts=parts))
            i += 2
            continue
        i += 1
        if is_stop(word):
            continue
        found = vocabulary.lookup(word)
        if not found.known and (word.isdigit() or len(word) < 2):
            continue  # a number or a letter the knowledge does not use
        if word in _intent_words() and (not found.known or found.partial):
            # "börjar", "lördagar": we know what they ask, never "lör" + "dagar"
            found = Found((key_sv(word),), True)
        parts = _rare_compound(word, found.keys, index)
        if parts:
            # "kockutbildningar": the knowledge says "kock" and "utbildning"
            # far more often than the whole, so each part is a term of its own.
            terms += [Term(word, (part, *found.keys), weight) for part in parts]
            continue
        if found.partial:  # an unknown compound: its known parts, each a term
            inside = vocabulary.containing(word)
            if inside:  # ... unless the knowledge has it inside a longer word
                terms.append(Term(word, inside, weight))
                continue
            terms += [Term(word, (part,), weight, partial=True) for part in found.keys]
            continue
        family = tuple(k for key in found.keys for k in vocabulary.family(key))
        terms.append(Term(word, found.keys, weight, found.known, alts=family,
                          guessed=found.guessed))
    return terms


def _in_passing(term: Term, index: Index) -> bool:
    return all(index.max_weight(k) < MAIN_FIELD for k in (*term.keys, *term.alts))


def _rare_compound(word: str, keys: tuple[str, ...], index: Index) -> tuple[str, ...]:
    """The parts of a compound no entry is about ("kockutbildning"), else nothing."""
    if len(word) < 8 or len(keys) != 1:
        return ()
    if index.max_weight(keys[0]) >= MAIN_FIELD:
        return ()  # "programmering" names courses: never "programm" + "ring"
    parts = index.vocabulary.split(word)
    if not parts or any(p not in index.postings for p in parts):
        return ()
    return parts


def _expand_synonyms(query: Query, index: Index) -> None:
    present = query.keys()
    for group in index.synonyms:
        triggers = [term for term in group if set(term) <= present]
        if not triggers:
            continue
        alts = tuple(k for term in group if len(term) == 1 for k in term)
        single = {k for term in triggers if len(term) == 1 for k in term}
        for n, term in enumerate(query.terms):
            if set(term.keys) & single:
                extra = tuple(k for k in alts if k not in term.keys and k not in term.alts)
                query.terms[n] = replace(term, alts=term.alts + extra)
        if not single:  # only a phrase ("svenska för invandrare") asked for the group
            query.terms.append(Term(" ".join(alts), alts, extra=True))
