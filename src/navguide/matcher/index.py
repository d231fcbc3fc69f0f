"""The searchable form of the knowledge: weighted keys per entry, and their rarity."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..knowledge.model import Centre, Course, Knowledge, Topic
from ..text import lexicon
from ..text.lexicon import is_stop
from ..text.normalize import fold, words
from .places import Gazetteer
from .vocabulary import Vocabulary, key_sv, word_keys

if TYPE_CHECKING:
    from .terms import Term

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
    weights: dict[str, float] = field(default_factory=dict)  # key -> field weight (centres keep it)
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
    return {key for words_ in intents for key in word_keys(words_)}


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
            if isinstance(entry, Centre) and entry.address:
                # The place in a centre's address is where it is, as much as its name.
                doc.name_places.update(fold(w) for w in words(entry.address)
                                       if fold(w) in place_words)
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
        self._build_postings()
        self.synonyms = self._synonym_groups()

    def _build_postings(self) -> None:
        """Per key, the entries that have it as arrays: scoring is a few numpy
        operations per word of the message, whatever the number of courses."""
        lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for i, doc in enumerate(self.docs):
            for key, weight in doc.weights.items():
                found = lists[key]
                found[0].append(i)
                found[1].append(weight)
        # Rarity is counted within each group: a word common among courses ("sfi"
        # in every SFI course) still tells guidance topics apart, and vice versa.
        self.group = [GROUP_OF[d.entry.kind] for d in self.docs]
        self.group_code = np.array([GROUPS.index(g) for g in self.group], dtype=np.int8)
        sizes = {g: self.group.count(g) or 1 for g in GROUPS}
        self.group_size = sizes
        self.max_idf_by_group = {g: math.log(1 + sizes[g]) for g in GROUPS}
        self.idf_by_group: dict[str, dict[str, float]] = {g: {} for g in GROUPS}
        self.group_df: dict[str, dict[str, int]] = {g: {} for g in GROUPS}
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.values: dict[str, np.ndarray] = {}  # weight x rarity in the entry's group
        for key, (ids, weights) in lists.items():
            idx = np.array(ids, dtype=np.int32)
            weight = np.array(weights, dtype=np.float32)
            counts = np.bincount(self.group_code[idx], minlength=len(GROUPS))
            idf = np.zeros(len(GROUPS), dtype=np.float32)
            for g, name in enumerate(GROUPS):
                if counts[g]:
                    idf[g] = math.log(1 + sizes[name] / counts[g])
                    self.idf_by_group[name][key] = float(idf[g])
                    self.group_df[name][key] = int(counts[g])
            self.postings[key] = (idx, weight)
            self.values[key] = weight * idf[self.group_code[idx]]
        for doc in self.docs:
            if doc.entry.kind != "centre":
                doc.weights = {}  # in the postings now; only centres are looked up by key

    def max_weight(self, key: str) -> float:
        """The heaviest field the key stands in, in any entry (0 if none)."""
        found = self.postings.get(key)
        return float(found[1].max()) if found else 0.0

    def in_group(self, term: Term, group: str) -> bool:
        """Whether any entry of the group ("guidance", "courses") has the term."""
        idf = self.idf_by_group[group]
        return any(k in idf for k in (*term.keys, *term.alts))

    def field_weight(self, term: Term, doc_index: int) -> float:
        """The heaviest field of the entry the term stands in (0 if none)."""
        found = 0.0
        for key in (*term.keys, *term.alts):
            posting = self.postings.get(key)
            if posting is None:
                continue
            at = int(np.searchsorted(posting[0], doc_index))  # entries in index order
            if at < len(posting[0]) and posting[0][at] == doc_index:
                found = max(found, float(posting[1][at]))
        return found

    def name_keys(self, course: Course) -> list[frozenset[str]]:
        """Keys of each name a course goes by: its titles and its provider."""
        texts = [course.title, course.provider, str(course.en.get("title", ""))]
        names = [
            frozenset(self.vocabulary.lookup(w).keys[0] for w in words(text) if not is_stop(w))
            for text in texts
        ]
        return [name for name in names if name]

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

