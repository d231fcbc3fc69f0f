"""phrase_fit on long messages: bounded work, the very same fit (issue 11)."""

from __future__ import annotations

import pytest
from support import KNOWLEDGE

from navguide.holder import build
from navguide.matcher.query import analyse
from navguide.matcher.scoring import PhraseFit, term_idf

LONG = ("Hej, jag har bott i Sverige i tre år och jobbat i hemtjänsten. Nu vill jag "
        "plugga vidare men jag vet inte hur det går till med betyg från mitt hemland "
        "och om jag behöver läsa svenska först. Jag har barn och kan bara plugga på "
        "kvällar eller på distans. Hur söker jag till komvux och vad kostar det?")


def dice(index, terms, doc_index: int) -> float:  # type: ignore[no-untyped-def]
    """phrase_fit as its docstring says, word by word: the reference."""
    group = index.group[doc_index]
    idf = index.idf_by_group[group]
    content = [t for t in terms if not t.extra]
    masses = [t.weight * term_idf(index, t, group) for t in content]
    best = 0.0
    for phrase in index.docs[doc_index].phrases:
        matched = sum(m for m, t in zip(masses, content, strict=True)
                      if any(k in phrase for k in (*t.keys, *t.alts)))
        if matched:
            best = max(best, 2 * matched / (sum(masses) + sum(idf.get(k, 0.0) for k in phrase)))
    return best


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    return build(KNOWLEDGE).matcher.index


@pytest.mark.parametrize("message", [
    "Hur söker jag till komvux?",  # fewer words than most phrases: word by word
    LONG,  # more words than any phrase: each phrase looks its keys up
    LONG * 4,  # words repeated, as in a pasted text
])
def test_the_fit_is_the_weighted_dice_of_the_closest_phrase(index, message):
    terms = analyse(message, index).terms
    fit = PhraseFit(index, terms)
    values = [fit(i) for i in range(len(index.docs))]
    assert values == [dice(index, terms, i) for i in range(len(index.docs))]
    assert max(values) > 0  # the message does match something: the test is not vacuous


def test_a_long_message_costs_lookups_of_the_phrases_words_not_of_its_own(index):
    """Each phrase is compared by its own keys when the message has more terms."""
    terms = analyse(LONG * 4, index).terms
    fit = PhraseFit(index, terms)
    probes: list[int] = []
    real = fit._by_key.get

    class Counting(dict):  # type: ignore[type-arg]
        def get(self, key, default=None):  # type: ignore[no-untyped-def]
            probes.append(1)
            return real(key, default)

    fit._by_key = Counting(fit._by_key)
    doc = max(range(len(index.docs)), key=lambda i: len(index.docs[i].phrases))
    fit(doc)
    phrase_keys = sum(len(p) for p in index.docs[doc].phrases)
    assert len(probes) <= phrase_keys < len(terms) * len(index.docs[doc].phrases)
