"""The knowledge being served, swapped whole so no request sees half of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .knowledge import Knowledge, Problem, errors, load_knowledge
from .matcher import Matcher


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


def build(path: str | Path) -> Loaded:
    """Load and check a knowledge folder; raises KnowledgeRejected on any error."""
    knowledge, problems = load_knowledge(path)
    found = errors(problems)
    if found:
        raise KnowledgeRejected(found)
    return Loaded(knowledge, Matcher(knowledge), problems)


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
