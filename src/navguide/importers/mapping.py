"""One Skolverket adult-education event as one course of the knowledge format.

The API's events are written by hundreds of providers: fields go missing, are
`null` or the text "null", titles come wrapped in CDATA, numbers come as text
("100.0"). Whatever cannot be read is left out of the course; an event without
an id, a title or a provider cannot be a course and is skipped. So is one
given on site in a municipality the knowledge does not serve: the matcher
would take a course without a municipality for one open to all on distance.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlsplit

from ..knowledge.model import Municipality

EVENTS_PATH = "/v4/adult-education-events"
ID_PREFIX = "skolverket-"
ROLLING = (2, 3)  # executionCondition: 2-3 a rolling start, 1 a date, 0 not set

_CDATA = re.compile(r"^<!\[CDATA\[(.*)\]\]>$", re.S)
_SPACE = re.compile(r"\s+")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ])")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Places:
    """The knowledge's municipalities, found by code or by name."""

    by_code: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, municipalities: tuple[Municipality, ...] | list[Municipality]) -> Places:
        return cls({m.code: m.id for m in municipalities if m.code},
                   {m.name.casefold(): m.id for m in municipalities})

    def find(self, code: object, name: object) -> str | None:
        key = _code(code)
        if key and key in self.by_code:
            return self.by_code[key]
        text = clean(name)
        return self.by_name.get(text.casefold()) if text else None


@dataclass
class Mapped:
    courses: list[dict[str, object]] = field(default_factory=list)
    skipped: int = 0  # events that could not be a course (no id, title or provider)
    outside: int = 0  # events given on site outside the knowledge's municipalities


def map_events(
    events: list[dict[str, object]], places: Places, base_url: str, today: date
) -> Mapped:
    """Courses for the events, in a stable order (by id) so nightly diffs stay small."""
    out = Mapped()
    used: set[str] = set()
    for event in events:
        course = to_course(event, places, base_url, today)
        if course is None:
            out.skipped += 1
            continue
        if "municipality" not in course and not course["distance"]:
            out.outside += 1
            continue
        course_id = str(course["id"])
        if course_id in used:  # "e.IST.1" and "e.ist.1" slug alike: keep both apart
            course["id"] = f"{course_id}-{_digest(str(event['educationEventId']))}"
        used.add(str(course["id"]))
        out.courses.append(course)
    out.courses.sort(key=lambda c: str(c["id"]))
    return out


def to_course(
    event: dict[str, object], places: Places, base_url: str, today: date
) -> dict[str, object] | None:
    event_id = clean(event.get("educationEventId"))
    title = clean(event.get("titleSv"))
    provider = clean(event.get("providerName"))
    if not (event_id and title and provider and _slug(event_id)):
        return None
    api_url = f"{base_url.rstrip('/')}{EVENTS_PATH}/{quote(event_id, safe='')}"
    links = _links(event.get("_links"))
    page = next((href for rel, href in links if rel != "self"), None)
    own = next((href for rel, href in links if rel == "self"), None) or api_url
    course: dict[str, object] = {
        "id": ID_PREFIX + _slug(event_id),
        "title": title,
        "provider": provider,
        "category": category(event.get("typeOfSchool")),
    }
    municipality = places.find(event.get("geographicalAreaCode"), event.get("municipality"))
    if municipality:
        course["municipality"] = municipality
    town = clean(event.get("town"))
    if town:
        course["town"] = town
    course["distance"] = _bool(event.get("distance"))
    pace = _pace(event.get("paceOfStudy"))
    if pace:
        course["pace"] = pace
    start = _start(event)
    if start:
        course["start"] = start
    apply_by = _date(event.get("lastApplicationDate"))
    if apply_by:
        course["apply_by"] = apply_by
    credits = _number(event.get("credits"))
    if credits:
        course["length"] = f"{credits:g} poäng"
    course["url"] = page or own
    course["source"] = own
    course["imported"] = today
    return course


def category(type_of_school: object) -> str:
    """The knowledge's category for Skolverket's `typeOfSchool`."""
    kind = (clean(type_of_school) or "").casefold()
    if kind.startswith("sfi"):
        return "sfi"
    if kind.startswith("yh"):
        return "yh"
    if kind.startswith(("fhs", "folk")):
        return "folkhogskola"
    if kind.startswith(("uoh", "hogskola", "univ")):
        return "hogskola"
    if kind.startswith(("vux", "komvux", "sarvux", "course", "program", "forutb")):
        return "komvux"
    return "other"


def clean(value: object) -> str | None:
    """Text with CDATA, surrounding space and the word "null" taken away; None if nothing."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    match = _CDATA.match(text)
    if match:
        text = match.group(1).strip()
    text = _SPACE.sub(" ", text)
    if not text or text.casefold() in ("null", "none", "undefined"):
        return None
    return text


def _code(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"  # 180 read as a number is 0180
    text = clean(value)
    return text if text and text.isdigit() else None


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.casefold()).strip("-")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return (clean(value) or "").casefold() in ("true", "1", "yes", "ja")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = (clean(value) or "").rstrip("%").strip()
        if not _NUMBER.match(text):
            return None  # "50-100", "varierande"
        number = float(text.replace(",", "."))
    return number if number > 0 else None


def _pace(value: object) -> int | None:
    number = _number(value)
    if number is None:
        return None
    pace = round(number)
    return pace if 1 <= pace <= 100 else None


def _date(value: object) -> date | None:
    match = _DATE.match(clean(value) or "")
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:  # 2026-13-01
        return None


def _start(event: dict[str, object]) -> date | str | None:
    condition = event.get("executionCondition")
    try:
        rolling = int(condition) in ROLLING  # type: ignore[arg-type]
    except (TypeError, ValueError):
        rolling = False
    if rolling:
        return "rolling"
    return _date(event.get("semesterStartFrom"))


def _links(value: object) -> list[tuple[str, str]]:
    """HAL links as (rel, href), web addresses only: `{"self": {"href": ...}}` or lists."""
    found: list[tuple[str, str]] = []
    if not isinstance(value, dict):
        return found
    for rel, link in value.items():
        for item in link if isinstance(link, list) else [link]:
            href = clean(item.get("href")) if isinstance(item, dict) else clean(item)
            if href and _is_web(href):
                found.append((str(rel), href))
    return found


def _is_web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url
