"""The knowledge being served, swapped whole so no request sees half of it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .knowledge import Knowledge, Problem, errors, load_knowledge
from .matcher import Matcher
from .matcher.prepare import Preparation, full, quick


class KnowledgeRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} error(s) in the knowledge")
        self.problems = problems


@dataclass(frozen=True)
class Loaded:
    """One consistent version: a request takes it once and keeps it."""

    knowledge: Knowledge
    matcher: Matcher
    problems: list[Problem]


def build(path: str | Path, prep: Preparation | None = None,
          last: Loaded | None = None) -> Loaded:
    """Load and check a knowledge folder; raises KnowledgeRejected on any error.

    The matcher is the quick one (the best model at hand, no semantic index):
    it answers at once; `fitted` makes the full one. `last`: the version served
    until now, whose fitted weights answer a live edit until its own fit is done.
    """
    knowledge, problems = load_knowledge(path)
    found = errors(problems)
    if found:
        raise KnowledgeRejected(found)
    matcher = (quick(knowledge, prep, last.matcher if last else None) if prep
               else Matcher(knowledge))
    return Loaded(knowledge, matcher, problems)


def fitted(loaded: Loaded, prep: Preparation) -> Loaded:
    """The same knowledge with its matcher fitted (and its semantic index): seconds
    to minutes, so the server runs it in the background and swaps it in."""
    return replace(loaded, matcher=full(loaded.knowledge, prep, loaded.matcher))


@dataclass
class KnowledgeHolder:
    current: Loaded
    rejected: list[Problem] = field(default_factory=list)
    rejected_at: datetime | None = None

    def swap(self, loaded: Loaded) -> None:
        self.current = loaded
        self.rejected = []
        self.rejected_at = None

    def reject(self, problems: list[Problem]) -> None:
        self.rejected = problems
        self.rejected_at = datetime.now(UTC)
