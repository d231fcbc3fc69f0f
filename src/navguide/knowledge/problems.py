"""Problems found in the knowledge, each tied to a file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
# What a problem is, where that changes how it is shown: a file that cannot be
# read at all (a root cause), an entry not yet confirmed (summed up in `check`).
Kind = Literal["", "unreadable", "unverified"]


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    column: int
    message: str
    severity: Severity = "error"
    kind: Kind = ""
    # The unreadable file this follows from (a reference to an id defined there).
    follows: str = ""

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.column}: {prefix}{self.message}"


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def unverified(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.kind == "unverified"]


def fold_follow_ons(problems: list[Problem]) -> list[Problem]:
    """Root causes first; an error that only follows from an unreadable file is
    counted under that file's error instead of being listed on its own."""
    counts: dict[str, int] = {}
    for p in problems:
        if p.follows:
            counts[p.follows] = counts.get(p.follows, 0) + 1
    kept = []
    for p in problems:
        if p.follows:
            continue
        n = counts.pop(p.path, 0) if p.kind == "unreadable" else 0
        if n:
            refs = "reference" if n == 1 else "references"
            p = Problem(p.path, p.line, p.column,
                        f"{p.message} (and {n} {refs} elsewhere to the ids in this file)",
                        p.severity, p.kind)
        kept.append(p)
    kept.sort(key=lambda p: (p.severity != "error", p.kind != "unreadable",
                             p.path, p.line, p.column))
    return kept
