"""Which lärcentrum is the learner's, and whether it offers what they ask."""

from __future__ import annotations

from ..knowledge.model import Centre, Knowledge
from ..text.normalize import fold
from .query import Query
from .ranking import Ranker, Scored
from .scoring import term_idf
from .terms import Term

CENTRE_OFFERS = 0.3  # share of a question a centre's texts must hold to answer it


class Centres:
    def __init__(self, knowledge: Knowledge, ranker: Ranker) -> None:
        self.knowledge = knowledge
        self.ranker = ranker

    def local(
        self, query: Query, muni: str | None, ranked: list[Scored] | None = None
    ) -> Centre | None:
        """The municipality's centre for the learner: the one named after their
        place, else the one that best fits the question, else the main one."""
        if not muni:
            return None
        centres = self.knowledge.centres_in(muni)
        if not centres:
            return None
        place = query.place.place if query.place else None
        by_score = {s.doc.id: s.score for s in ranked or ()}
        municipality = self.knowledge.municipality(muni)
        main_name = fold(municipality.name.casefold()) if municipality else ""
        docs = self.ranker.index.docs

        def preference(centre: Centre) -> tuple[int, float, int]:
            doc = docs[self.ranker.positions[centre.id]]
            names_place = 2 if place in doc.name_places else 1 if place in doc.places else 0
            is_main = 1 if main_name and main_name in fold(centre.name.casefold()) else 0
            return (names_place, by_score.get(centre.id, 0.0) + 0.1 * is_main, is_main)

        return max(centres, key=preference)

    def answers(self, centre: Centre, query: Query) -> bool:
        """Whether the centre answers the question: it asks where, when or to study,
        or the centre offers what it is about ("tenta", not "väder" on Saturday)."""
        return self.offered(centre, query.subject) >= CENTRE_OFFERS

    def offered(self, centre: Centre, terms: list[Term]) -> float:
        """The share of the terms (by rarity) found anywhere in the centre's texts."""
        index = self.ranker.index
        doc = index.docs[self.ranker.positions[centre.id]]
        total = matched = 0.0
        for term in terms:
            weight = term.weight * term_idf(index, term, "guidance")
            total += weight
            if term.keys_in(doc.weights):
                matched += weight
        return matched / total if total else 1.0
