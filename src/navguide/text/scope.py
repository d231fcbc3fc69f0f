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

from .language import Lang
from .lexicon import (
    AGE_PREPOSITIONS,
    AGE_UNITS,
    AGE_VERBS,
    EARN,
    FIRST_PERSON,
    JOB,
    KIN,
    NUMBER_WORDS,
    SALARY,
    STAFFING,
    VACANT,
)

ADULT_AGE = 18
_ME = FIRST_PERSON["sv"] | FIRST_PERSON["en"]  # "jag är 17", "I am 16": the learner
_AGED = ("åring", "åringen", "åringar")  # "tvååring", "femåringen"


def _number(word: str) -> int | None:
    if word.isdecimal() and len(word) <= 3:  # "➂".isdigit(), but int() refuses it
        return int(word)
    return NUMBER_WORDS.get(word)


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
        if number is None or (before in AGE_VERBS and padded[i - 2] in _ME):
            continue  # "I am 16 years old": the learner's own age
        if after[0] in _AGED or "old" in after:
            found.append((number, True))
        elif before in AGE_VERBS or (after[0] in AGE_UNITS and (
            before in AGE_PREPOSITIONS or after[1] in AGE_UNITS
        )):
            found.append((number, False))
    return found


def about_a_child(words: list[str], asks_study: bool, lang: Lang = "sv") -> bool:
    """Whether the message asks about a child's schooling rather than the learner's:
    it names someone under 18 ("min tvååring", "min dotter är 16"), and the
    learner does not ask to study themselves (`asks_study` in the first person:
    "jag har två barn, 3 och 5 år, kan jag plugga?")."""
    kin = bool(KIN & set(words))
    if not any(age < ADULT_AGE and (person or kin) for age, person in _ages(words)):
        return False
    return not (asks_study and FIRST_PERSON[lang] & set(words))


def asks_for_a_job(words: list[str], lang: Lang = "sv") -> bool:
    """Whether the message asks for a job or a wage, not for learning:
    "lediga jobb", "vikarier", "teaching jobs open", "timlön", "vad tjänar en
    undersköterska". What the learner may earn beside their studies ("hur mycket
    får jag tjäna med CSN?") is asked in the first person and is not caught."""
    present = set(words)
    if (SALARY | STAFFING) & present:
        return True
    if EARN & present and not FIRST_PERSON[lang] & present:
        return True
    return any(
        (a in VACANT and b in JOB) or (a in JOB and b in VACANT)
        for a, b in pairwise([*words, ""])
    )
