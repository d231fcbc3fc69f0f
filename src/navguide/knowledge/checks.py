"""Checks across the whole knowledge: ids, references, and what needs review."""

from __future__ import annotations

from datetime import date, timedelta

from .model import Centre, Course, Knowledge, Location, Municipality, SmallTalk, Topic
from .problems import Kind, Problem, Severity

REVIEW_AFTER = timedelta(days=365)


def _at(location: Location, message: str, severity: Severity = "error",
        kind: Kind = "", follows: str = "") -> Problem:
    return Problem(location.path, location.line, location.column, message, severity, kind,
                   follows)


def cross_check(
    knowledge: Knowledge, today: date, invalid: list[Topic | Course | Centre | Municipality],
    unreadable_ids: dict[str, str] | None = None,
) -> list[Problem]:
    """Ids unique across files, references that resolve, and what needs review.

    `invalid` holds entries that had errors of their own: they are not served,
    but their ids and references are checked all the same. `unreadable_ids`
    maps the ids that files which could not be read seem to define to those
    files: a reference to one follows from that file's error.
    """
    unreadable_ids = unreadable_ids or {}
    problems: list[Problem] = _smalltalk_refs(knowledge)
    invalid = [e for e in invalid if not isinstance(e, SmallTalk)]  # ids of their own
    first: dict[str, Location] = {}
    everything = sorted(
        (*knowledge.topics, *knowledge.courses, *knowledge.centres, *knowledge.municipalities,
         *invalid),
        key=lambda e: (e.location.path, e.location.line),
    )
    for item in everything:
        if item.id in first:
            problems.append(
                _at(item.location, f"duplicate id {item.id!r} (first defined at {first[item.id]})")
            )
        else:
            first[item.id] = item.location
    municipalities = {m.id for m in knowledge.municipalities}
    problems.extend(_code_problems(knowledge.municipalities))
    entries = [e for e in everything if not isinstance(e, Municipality)]
    entry_ids = {e.id for e in entries}
    for entry in entries:
        municipality = getattr(entry, "municipality", None)
        if municipality and municipality not in municipalities:
            problems.append(_at(entry.location, f"unknown municipality {municipality!r}",
                                follows=unreadable_ids.get(municipality, "")))
        if isinstance(entry, Topic):
            for ref in entry.related:
                if ref not in entry_ids:
                    problems.append(_at(entry.location, f"unknown id {ref!r} in `related`",
                                        follows=unreadable_ids.get(ref, "")))
            if not entry.en:
                problems.append(_at(entry.location, f"topic {entry.id!r} has no `en:` text",
                                    "warning"))
        problems.extend(_review_warnings(entry, today))
    return problems


def _smalltalk_refs(knowledge: Knowledge) -> list[Problem]:
    topics = {t.id for t in knowledge.topics}
    return [_at(talk.location, f"unknown topic id {ref!r} in `related`")
            for talk in knowledge.smalltalk for ref in talk.related if ref not in topics]


def _code_problems(municipalities: tuple[Municipality, ...]) -> list[Problem]:
    """Two municipalities with one code: an imported course could not say which is its."""
    first: dict[str, Municipality] = {}
    found = []
    for m in municipalities:
        if m.code is None:
            continue
        if m.code in first:
            found.append(_at(m.location, f"municipality {m.id!r} has the code {m.code} "
                                         f"of {first[m.code].id!r}"))
        else:
            first[m.code] = m
    return found


def _review_warnings(entry: Topic | Course | Centre, today: date) -> list[Problem]:
    found = []
    if (isinstance(entry, Course) and entry.imported and isinstance(entry.start, date)
            and entry.start < today):
        found.append(_at(entry.location,
                         f"{entry.id!r}: imported course started {entry.start}, in the past "
                         "(run `navguide import skolverket` again)", "warning"))
    if isinstance(entry, Course) and entry.apply_by and entry.apply_by < today:
        found.append(_at(entry.location,
                         f"{entry.id!r}: apply_by {entry.apply_by} is in the past", "warning"))
    if entry.reviewed and today - entry.reviewed > REVIEW_AFTER:
        found.append(_at(entry.location,
                         f"{entry.id!r}: reviewed {entry.reviewed}, more than a year ago",
                         "warning"))
    if not entry.verified:
        found.append(_at(entry.location,
                         f"{entry.id!r}: not yet verified by a counsellor", "warning",
                         "unverified"))
    return found
