"""One learner message, analysed: its terms, places, language and intents."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..text import lexicon
from ..text.language import Lang, detect
from ..text.lexicon import is_stop
from ..text.normalize import fold, words_with_case
from .index import Index
from .places import PlaceHit

SYNONYM_WEIGHT = 0.8


@dataclass(frozen=True, slots=True)
class Term:
    word: str
    keys: tuple[str, ...]
    weight: float = 1.0
    known: bool = True


@dataclass
class Query:
    text: str
    lang: Lang
    words: list[str]
    terms: list[Term] = field(default_factory=list)
    places: list[PlaceHit] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)

    @property
    def content(self) -> list[Term]:
        return [t for t in self.terms if t.weight >= 1.0]

    @property
    def unknown(self) -> list[Term]:
        return [t for t in self.terms if not t.known]

    @property
    def municipality(self) -> str | None:
        return self.places[-1].municipality if self.places else None

    def keys(self) -> set[str]:
        return {k for t in self.terms for k in t.keys}


_INTENTS = {
    "where": lexicon.WHERE, "hours": lexicon.HOURS, "start": lexicon.START,
    "distance": lexicon.DISTANCE, "listing": lexicon.LISTING, "contact": lexicon.CONTACT,
    "anaphora": lexicon.ANAPHORA,
}


def analyse(text: str, index: Index, default_lang: Lang = "sv") -> Query:
    typed = words_with_case(text)
    lowered = [w.casefold() for w in typed]
    query = Query(text=text, lang=detect(lowered, default_lang), words=lowered)
    query.places = index.gazetteer.find(typed)
    in_place = {i for hit in query.places for i in range(hit.start, hit.end)}
    query.intents = {name for name, vocab in _INTENTS.items() if vocab & set(lowered)}
    if lowered and lowered[0] in lexicon.FOLLOWUP_OPENERS:
        query.intents.add("opener")
    tokens = [w for i, w in enumerate(lowered) if i not in in_place]
    query.terms = _terms(tokens, index)
    _expand_synonyms(query, index)
    return query


def _terms(tokens: list[str], index: Index) -> list[Term]:
    vocabulary = index.vocabulary
    terms: list[Term] = []
    i = 0
    while i < len(tokens):
        word = tokens[i]
        if i + 1 < len(tokens) and vocabulary.knows_surface(word + tokens[i + 1]):
            joined = word + tokens[i + 1]  # "yrkes vux" -> "yrkesvux"
            terms.append(Term(joined, vocabulary.lookup(joined)[0]))
            i += 2
            continue
        i += 1
        if is_stop(word) or (len(word) < 2 and not word.isdigit()):
            continue
        keys, known = vocabulary.lookup(word)
        terms.append(Term(word, keys, 1.0, known))
    return terms


def _expand_synonyms(query: Query, index: Index) -> None:
    present = query.keys()
    added: set[str] = set()
    for group in index.synonyms:
        if any(set(term) <= present for term in group):
            for term in group:
                if len(term) == 1 and term[0] not in present and term[0] not in added:
                    added.add(term[0])
                    query.terms.append(Term(term[0], term, SYNONYM_WEIGHT))


def folded_content(query: Query) -> str:
    return " ".join(fold(t.word) for t in query.content)
