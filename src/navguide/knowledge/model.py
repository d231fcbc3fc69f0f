"""The knowledge as the matcher and the pages see it: plain, typed, read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

CATEGORIES = ("komvux", "sfi", "yh", "folkhogskola", "hogskola", "larcentrum", "other")
Kind = Literal["topic", "course", "centre", "smalltalk"]


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Entry:
    """What topics, courses and centres share."""

    id: str
    location: Location
    en: dict[str, object] = field(default_factory=dict)
    reviewed: date | None = None
    source: tuple[str, ...] = ()
    verified: bool = True
    note: str = ""  # for counsellors only: `check --verbose` and /admin, never a learner

    def text(self, name: str, lang: str) -> object:
        """A text field in `lang` where the entry has it, else the Swedish one."""
        if lang == "en" and name in self.en:
            return self.en[name]
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class Topic(Entry):
    title: str = ""
    questions: tuple[str, ...] = ()
    answer: str = ""
    keywords: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    municipality: str | None = None
    related: tuple[str, ...] = ()
    kind: Kind = "topic"


@dataclass(frozen=True, slots=True)
class Course(Entry):
    title: str = ""
    provider: str = ""
    category: str = "other"
    url: str = ""
    municipality: str | None = None
    distance: bool = False
    pace: int | None = None
    start: date | Literal["rolling"] | None = None
    apply_by: date | None = None
    length: str | None = None
    description: str = ""
    keywords: tuple[str, ...] = ()
    town: str | None = None  # the place it is given, where the municipality has several
    imported: date | None = None  # set by `navguide import`: the course is Skolverket's
    kind: Kind = "course"


@dataclass(frozen=True, slots=True)
class Centre(Entry):
    name: str = ""
    municipality: str = ""
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    hours: str | None = None
    services: tuple[str, ...] = ()
    description: str = ""
    kind: Kind = "centre"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class SmallTalk(Entry):
    """A greeting, a thanks, "are you a bot?": what a counsellor says back.

    `handoff`: the learner asks for a person, so the reply is the way to one.
    """

    questions: tuple[str, ...] = ()
    answer: str = ""
    handoff: bool = False
    related: tuple[str, ...] = ()
    kind: Kind = "smalltalk"


@dataclass(frozen=True, slots=True)
class Municipality:
    id: str
    name: str
    places: tuple[str, ...]
    location: Location
    code: str | None = None  # the national municipality code (SCB), e.g. 2380


@dataclass(frozen=True)
class Knowledge:
    topics: tuple[Topic, ...] = ()
    courses: tuple[Course, ...] = ()
    centres: tuple[Centre, ...] = ()
    municipalities: tuple[Municipality, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    smalltalk: tuple[SmallTalk, ...] = ()
    version: str = ""
    loaded_at: datetime | None = None
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        entries: dict[str, Topic | Course | Centre] = {}
        for entry in (*self.topics, *self.courses, *self.centres):
            entries.setdefault(entry.id, entry)
        object.__setattr__(self, "_entries", entries)
        object.__setattr__(
            self, "_municipalities", {m.id: m for m in self.municipalities}
        )

    def entry(self, entry_id: str) -> Topic | Course | Centre | None:
        return self._entries.get(entry_id)  # type: ignore[attr-defined]

    def municipality(self, municipality_id: str | None) -> Municipality | None:
        if municipality_id is None:
            return None
        return self._municipalities.get(municipality_id)  # type: ignore[attr-defined]

    def with_notes(self) -> list[Topic | Course | Centre]:
        """Entries with a counsellor's `note:` (for `check --verbose` and /admin only)."""
        return [e for e in (*self.topics, *self.courses, *self.centres) if e.note.strip()]

    def centres_in(self, municipality_id: str) -> list[Centre]:
        return [c for c in self.centres if c.municipality == municipality_id]

    def counts(self) -> dict[str, int]:
        return {
            "topics": len(self.topics),
            "courses": len(self.courses),
            "centres": len(self.centres),
            "municipalities": len(self.municipalities),
        }
