"""What the matcher decides: the kind of reply and the entries it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..knowledge.model import Centre, Course, SmallTalk, Topic
from ..text.language import Lang

ReplyKind = Literal[
    "topic", "centre", "course", "courses", "handoff", "smalltalk", "clarify"
]
Entry = Topic | Course | Centre


@dataclass
class Reply:
    kind: ReplyKind
    lang: Lang
    entries: list[Entry] = field(default_factory=list)
    municipality: str | None = None
    centre: Centre | None = None  # the learner's lärcentrum, shown on a hand-off
    score: float = 0.0
    margin: float = 0.0
    runner_up: str | None = None  # the entry it probably meant, for the report
    focus: str | None = None  # what a follow-up asked of the entry: "start", "hours", ...
    smalltalk: SmallTalk | None = None  # the small talk answered, or the request for a person
    category: str | None = None  # the school form the conversation is about ("sfi")
    subject: tuple[str, ...] = ()  # the words the conversation is about ("undersköterska")
    distance_instead: bool = False  # none of the school form in the place: distance ones

    @property
    def handoff(self) -> bool:
        return self.kind == "handoff"

    @property
    def ids(self) -> list[str]:
        shown = [e.id for e in self.entries]
        if self.centre and self.centre.id not in shown:
            shown.append(self.centre.id)
        return shown
