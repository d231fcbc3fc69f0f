"""The searchable form of the knowledge: weighted keys per entry, and their rarity."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from ..knowledge.model import Centre, Course, Knowledge, Topic
from ..text import lexicon
from ..text.lexicon import is_stop
from ..text.normalize import fold, words
from .places import Gazetteer
from .vocabulary import Vocabulary, key_en, key_sv

Entry = Topic | Course | Centre

# How much a word counts by where it stands in an entry: what a learner asks
# (questions, titles, keywords) counts most, explanatory text least.
WEIGHTS = {
    "title": 1.0, "questions": 1.0, "keywords": 1.0, "name": 1.0,
    "services": 0.7, "provider": 0.5, "category": 0.6,
    "answer": 0.3, "description": 0.3, "hours": 0.2,
}
PART_FACTOR = 0.5  # the parts of a compound count half
GROUPS = ("guidance", "courses")
GROUP_OF = {"topic": "guidance", "centre": "guidance", "course": "courses"}
FIELD_WORD_WEIGHT = 0.8  # "öppettider" is answered by a centre that has `hours`


@dataclass(slots=True)
class Doc:
    entry: Entry
    weights: dict[str, float] = field(default_factory=dict)
    phrases: list[frozenset[str]] = field(default_factory=list)  # keys of each question, title
    places: set[str] = field(default_factory=set)  # folded place words its texts name
    name_places: set[str] = field(default_factory=set)  # ... and its name names

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def municipality(self) -> str | None:
        return getattr(self.entry, "municipality", None)


def _texts(entry: Entry) -> list[tuple[str, str, str]]:
    """(field, language, text) for every searchable text of an entry."""
    out: list[tuple[str, str, str]] = []
    names = {
        "topic": ("title", "questions", "keywords", "answer"),
        "course": ("title", "keywords", "provider", "category", "description"),
        "centre": ("name", "services", "description", "hours"),
    }[entry.kind]
    for name in names:
        value = getattr(entry, name)
        for item in (value,) if isinstance(value, str) else value or ():
            out.append((name, "sv", item))
    for name, value in entry.en.items():
        for item in (value,) if isinstance(value, str) else value:
            out.append((name, "en", str(item)))
    return out


def _field_words(entry: Entry) -> set[str]:
    """Keys of the general words an entry answers by having a field of the format."""
    intents: list[frozenset[str]] = []
    if isinstance(entry, Centre):
        intents.append(lexicon.WHERE)
        if entry.hours:
            intents.append(lexicon.HOURS)
        if entry.phone or entry.email:
            intents.append(lexicon.CONTACT)
    elif isinstance(entry, Course):
        if entry.start:
            intents.append(lexicon.START)
        if entry.distance:
            intents.append(lexicon.DISTANCE)
    return {
        key for words_ in intents for w in words_ if not is_stop(w)
        for key in (key_sv(w), key_en(w))
    }


class Index:
    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.vocabulary = Vocabulary(
            frozenset(key_sv(w) for w in lexicon.COURSE)
        )
        self.gazetteer = Gazetteer(knowledge.municipalities)
        place_words = {fold(w) for m in knowledge.municipalities
                       for name in (m.name, *m.places) for w in words(name)}
        entries: list[Entry] = [*knowledge.topics, *knowledge.courses, *knowledge.centres]
        raw: list[list[tuple[str, float]]] = []
        self.docs: list[Doc] = []
        for entry in entries:
            doc = Doc(entry)
            keyed: list[tuple[str, float]] = []
            for name, lang, text in _texts(entry):
                weight = WEIGHTS[name]
                phrase = set()
                for token in words(text):
                    if fold(token) in place_words:
                        doc.places.add(fold(token))
                        doc.name_places.update({fold(token)} if name == "name" else ())
                    if is_stop(token):
                        continue
                    key = self.vocabulary.add(token, lang)
                    keyed.append((key, weight))
                    phrase.add(key)
                if name in ("title", "questions", "name", "keywords") and phrase:
                    doc.phrases.append(frozenset(phrase))
            raw.append(keyed)
            self.docs.append(doc)
        for group in knowledge.synonyms:
            for term in group:
                for token in words(term):
                    if not is_stop(token):
                        self.vocabulary.add(token, "sv")
        self.vocabulary.freeze()
        for doc, keyed in zip(self.docs, raw, strict=True):
            keyed += [(key, FIELD_WORD_WEIGHT) for key in _field_words(doc.entry)]
            for key, weight in keyed:
                if weight > doc.weights.get(key, 0.0):
                    doc.weights[key] = weight
        self._add_compound_parts()
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            for key, weight in doc.weights.items():
                self.postings[key].append((i, weight))
        # Rarity is counted within each group: a word common among courses ("sfi"
        # in every SFI course) still tells guidance topics apart, and vice versa.
        self.group = [GROUP_OF[d.entry.kind] for d in self.docs]
        sizes = {g: self.group.count(g) or 1 for g in GROUPS}
        self.group_size = sizes
        self.idf_by_group: dict[str, dict[str, float]] = {}
        self.group_df: dict[str, dict[str, int]] = {}
        for g in GROUPS:
            counts = {
                k: sum(1 for i, _ in p if self.group[i] == g) for k, p in self.postings.items()
            }
            self.group_df[g] = counts
            self.idf_by_group[g] = {
                k: math.log(1 + sizes[g] / c) for k, c in counts.items() if c
            }
        self.max_idf_by_group = {g: math.log(1 + sizes[g]) for g in GROUPS}
        n = len(self.docs) or 1
        self.idf = {k: math.log(1 + n / len(p)) for k, p in self.postings.items()}
        self.max_idf = math.log(1 + n)
        self.synonyms = self._synonym_groups()

    def _add_compound_parts(self) -> None:
        parts: dict[str, tuple[str, str] | None] = {}
        for doc in self.docs:
            for key, weight in list(doc.weights.items()):
                if len(key) < 7:
                    continue
                if key not in parts:
                    parts[key] = self.vocabulary.split(key)
                for part in parts[key] or ():
                    part_weight = weight * PART_FACTOR
                    if part_weight > doc.weights.get(part, 0.0):
                        doc.weights[part] = part_weight

    def _synonym_groups(self) -> list[list[tuple[str, ...]]]:
        groups = []
        for group in self.knowledge.synonyms:
            terms = []
            for term in group:
                keys = tuple(
                    self.vocabulary.lookup(w).keys[0] for w in words(term) if not is_stop(w)
                )
                if keys:
                    terms.append(keys)
            groups.append(terms)
        return groups

    def idf_of(self, key: str) -> float:
        return self.idf.get(key, self.max_idf)
