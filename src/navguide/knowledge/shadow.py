"""A counsellor's own course wins over one imported from Skolverket.

The nightly import rewrites its file every night; a counsellor who wants to say
more about one of its courses (or correct it) writes the course in a file of
their own, with the imported id or with the same title, provider and start.
The imported one is then not served, and `navguide check` says so.
"""

from __future__ import annotations

from datetime import date

from .model import Course
from .problems import Problem


def _same(course: Course) -> tuple[str, str, date | str | None]:
    return (course.title.casefold(), course.provider.casefold(), course.start)


def shadow(own: list[Course], imported: list[Course]) -> tuple[list[Course], list[Problem]]:
    """The imported courses no counsellor's course stands for, and a note on each that is.

    `own` holds every course a counsellor wrote, served or not: one with an error
    of its own still stands for what it means to replace.
    """
    by_id = {c.id: c for c in own}
    by_same = {}
    for course in own:
        by_same.setdefault(_same(course), course)
    kept: list[Course] = []
    notes: list[Problem] = []
    for course in imported:
        winner = by_id.get(course.id) or by_same.get(_same(course))
        if winner is None:
            kept.append(course)
            continue
        at = winner.location
        notes.append(Problem(
            at.path, at.line, at.column,
            f"course {winner.id!r} shadows the imported course {course.id!r} "
            f"({course.location}): only {winner.id!r} is served", "warning",
        ))
    return kept, notes
