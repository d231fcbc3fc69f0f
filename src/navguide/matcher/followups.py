"""What a follow-up refers to in the reply before it: "den första", "the second one".

The previous reply comes back in the signed context as a `Shown`; the matcher
rebuilds it from the ids, so a follow-up is judged against what the learner
saw, not against earlier turns run again. /chat keeps one `Shown` per earlier
turn and draws them with `restore()`, so a page never runs its history again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..knowledge.model import Centre, Course, Knowledge, SmallTalk
from ..text.language import Lang
from ..text.normalize import fold, words
from .reply import Reply
from .smalltalk import builtin_smalltalk

# Ordinal words, folded; -1 is the last one.
_ORDINALS = {
    "forsta": 0, "1a": 0, "ettan": 0, "first": 0, "1st": 0,
    "andra": 1, "2a": 1, "tvaan": 1, "second": 1, "2nd": 1,
    "tredje": 2, "3e": 2, "trean": 2, "third": 2, "3rd": 2,
    "fjarde": 3, "4e": 3, "fourth": 3, "4th": 3,
    "femte": 4, "5e": 4, "fifth": 4, "5th": 4,
    "sista": -1, "last": -1,
}
_NUMBERS = {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "ett": 0, "en": 0, "tva": 1, "tre": 2,
            "fyra": 3, "fem": 4, "one": 0, "two": 1, "three": 2, "four": 3, "five": 4}
_NUMBER_WORDS = {"nummer", "nr", "number", "no", "alternativ", "option"}
_FILLER = {"den", "det", "the", "one", "kursen", "utbildningen", "course", "programmet",
           "jag", "vill", "ha", "tar", "valjer", "i", "take", "want", "choose", "please",
           "tack", "om", "about", "tell", "me", "more", "mer", "berätta", "beratta", "on",
           "a", "ja", "yes", "gärna", "garna", "menar", "mean"}
MAX_WORDS = 6  # "jag vill veta mer om den andra": longer is a question of its own
LISTS = ("courses", "clarify")


@dataclass(frozen=True)
class Shown:
    """What a reply showed, as the signed context carries it.

    `centre`, `focus` and `talk` (the small talk answered) are what it takes to
    draw the reply again as it was; contexts from before them lack them.
    """

    kind: str
    ids: tuple[str, ...] = ()
    municipality: str | None = None
    category: str | None = None
    subject: tuple[str, ...] = ()
    lang: Lang = "sv"
    centre: str | None = None
    focus: str | None = None
    talk: str | None = None

    @classmethod
    def of(cls, reply: Reply) -> Shown:
        return cls(reply.kind, tuple(e.id for e in reply.entries), reply.municipality,
                   reply.category, reply.subject[:20], reply.lang,
                   reply.centre.id if reply.centre else None, reply.focus,
                   reply.smalltalk.id if reply.smalltalk else None)

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "ids": list(self.ids), "municipality": self.municipality,
                "category": self.category, "subject": list(self.subject), "lang": self.lang,
                "centre": self.centre, "focus": self.focus, "talk": self.talk}


def restore(shown: Shown, knowledge: Knowledge) -> Reply | None:
    """The reply the learner saw, from its ids; None when the knowledge lost it."""
    entries = [e for e in (knowledge.entry(i) for i in shown.ids) if e is not None]
    if len(entries) < len(shown.ids) and (shown.kind != "courses" or not entries):
        return None  # a knowledge edit removed what was shown: run the turns again
    municipality = shown.municipality if knowledge.municipality(shown.municipality) else None
    centre = knowledge.entry(shown.centre) if shown.centre else None
    return Reply(shown.kind, shown.lang, entries, municipality,  # type: ignore[arg-type]
                 centre=centre if isinstance(centre, Centre) else None, focus=shown.focus,
                 smalltalk=_talk(shown.talk, knowledge),
                 category=shown.category, subject=shown.subject)


def _talk(talk_id: str | None, knowledge: Knowledge) -> SmallTalk | None:
    """The small talk entry by id: the knowledge folder's own, else the built-in one."""
    if talk_id is None:
        return None
    for entry in (*knowledge.smalltalk, *builtin_smalltalk()):
        if entry.id == talk_id:
            return entry
    return None


def picked(text: str, previous: Reply) -> int | None:
    """The position a message picks from the list shown before ("den andra" -> 1)."""
    if previous.kind not in LISTS or len(previous.entries) < 2:
        return None
    found = [fold(w) for w in words(text)]
    if not found or len(found) > MAX_WORDS:
        return None
    position = None
    for i, word in enumerate(found):
        if word in _ORDINALS:
            position = _ORDINALS[word]
        elif word in _NUMBERS and (len(found) == 1 or (i and found[i - 1] in _NUMBER_WORDS)):
            position = _NUMBERS[word]
        elif word not in _FILLER and word not in _NUMBER_WORDS and word not in _NUMBERS:
            return None  # "andra kurser i Åre?" asks something else
    if position is None or position >= len(previous.entries):
        return None
    return position % len(previous.entries)


def same_place_and_form(course: Course, muni: str | None, category: str | None) -> bool:
    """A course the conversation allows: its school form, in its place (or on distance)."""
    if category and course.category != category:
        return False
    return not muni or course.municipality == muni or course.distance
