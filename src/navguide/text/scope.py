"""Messages about something other than an adult's own learning.

navguide answers adults about their own learning. "Min dotter är 16, hur söker
hon till gymnasiet?" shares every word with the knowledge on upper-secondary
courses for adults, yet asks about a child's school; "Finns det lediga jobb på
lärcentrum?" shares them with combining work and study, yet asks for a job.
Those are for the municipality's school office or the employer, and the honest
reply is a hand-off.
"""

from __future__ import annotations

from itertools import pairwise

from . import lexicon
from .language import Lang

ADULT_AGE = 18


def _me() -> frozenset[str]:
    """ "jag är 17", "I am 16": the learner speaking of themselves."""
    return lexicon.FIRST_PERSON["sv"] | lexicon.FIRST_PERSON["en"]


_AGED = ("åring", "åringen", "åringar")  # "tvååring", "femåringen"


def _number(word: str) -> int | None:
    if word.isdecimal() and len(word) <= 3:  # "➂".isdigit(), but int() refuses it
        return int(word)
    return lexicon.NUMBER_WORDS.get(word)


def _ages(words: list[str]) -> list[tuple[int, bool]]:
    """Ages the words state, and whether each names a person by itself:
    "tvååring", "a 10 year old" do; "är 16", "en son på 4 år", "16 år gammal" need
    a child beside them. A bare "tre år" is a duration, not an age."""
    found = []
    for word in words:
        for ending in _AGED:
            head = word.removesuffix(ending)
            number = _number(head) if head != word else None
            if number is not None:
                found.append((number, True))
    padded = ["", "", *words, "", ""]
    for i, word in enumerate(words, start=2):
        number = _number(word)
        before, after = padded[i - 1], padded[i + 1 : i + 3]
        if number is None or (before in lexicon.AGE_VERBS and padded[i - 2] in _me()):
            continue  # "I am 16 years old": the learner's own age
        if after[0] in _AGED or "old" in after:
            found.append((number, True))
        elif before in lexicon.AGE_VERBS or (after[0] in lexicon.AGE_UNITS and (
            before in lexicon.AGE_PREPOSITIONS or after[1] in lexicon.AGE_UNITS
        )):
            found.append((number, False))
    return found


def about_a_child(words: list[str], asks_study: bool, lang: Lang = "sv") -> bool:
    """Whether the message asks about a child's schooling rather than the learner's:
    it names someone under 18 ("min tvååring", "min dotter är 16"), and the
    learner does not ask to study themselves (`asks_study` in the first person:
    "jag har två barn, 3 och 5 år, kan jag plugga?")."""
    kin = bool(lexicon.KIN & set(words))
    if not any(age < ADULT_AGE and (person or kin) for age, person in _ages(words)):
        return False
    return not (asks_study and lexicon.FIRST_PERSON[lang] & set(words))


def asks_for_a_job(words: list[str], lang: Lang = "sv") -> bool:
    """Whether the message asks for a job or a wage, not for learning:
    "lediga jobb", "vikarier", "teaching jobs open", "timlön", "vad tjänar en
    undersköterska". What the learner may earn beside their studies ("hur mycket
    får jag tjäna med CSN?") is asked in the first person and is not caught."""
    present = set(words)
    if (lexicon.SALARY | lexicon.STAFFING) & present:
        return True
    if lexicon.EARN & present and not lexicon.FIRST_PERSON[lang] & present:
        return True
    return any(
        (a in lexicon.VACANT and b in lexicon.JOB)
        or (a in lexicon.JOB and b in lexicon.VACANT)
        for a, b in pairwise([*words, ""])
    )
