"""Knowledge tests: load them, judge a reply against them, run them and report accuracy.

One definition of "correct" serves `navguide test` and the benchmarks in
`bench/`, so figures from both mean the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

if TYPE_CHECKING:  # type hints only: reading and judging tests needs no matcher
    from ..matcher import Matcher, Reply

Kind = Literal["answer", "handoff", "search", "smalltalk"]

HANDOFF = "handoff"
SMALLTALK = "smalltalk"
CLARIFY_AMONG = 3  # a "did you mean" is useful when the right entry is among its first three


class TestFileError(ValueError):
    """A knowledge test file that cannot be read."""


@dataclass(frozen=True)
class KnowledgeTest:
    messages: tuple[str, ...]
    municipality: str | None = None
    expect: tuple[str, ...] = ()
    expect_all: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)
    line: int = 0

    @property
    def kind(self) -> Kind:
        if self.expect_all:
            return "search"
        if self.expect == (HANDOFF,):
            return "handoff"
        if self.expect == (SMALLTALK,):
            return "smalltalk"
        return "answer"

    def is_correct(self, ids: Sequence[str], handoff: bool, kind: str | None = None) -> bool:
        """Judge a reply: the entries shown (main answer first), its hand-off flag and
        its kind. A "did you mean" (clarify) is never right: it answered nothing yet."""
        if self.kind == "smalltalk":
            return kind == "smalltalk"
        if self.kind == "handoff":
            return handoff
        if handoff or not ids or kind in ("clarify", "smalltalk"):
            return False
        if self.kind == "search":
            return set(self.expect_all) <= set(ids)
        return ids[0] in self.expect


    def is_useful(self, ids: Sequence[str], handoff: bool, kind: str | None = None) -> bool:
        """Right, or a "did you mean" with a right entry among its first three."""
        if kind == "clarify" and self.kind == "answer":
            return any(i in self.expect for i in ids[:CLARIFY_AMONG])
        return self.is_correct(ids, handoff, kind)


def _strings(value: object, what: str, line: int) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TestFileError(f"line {line}: `{what}` must be a string or a list of strings")


def load_tests(path: str | Path) -> list[KnowledgeTest]:
    """Read a knowledge test file (`tests:` list of `ask` / `expect` / `expect_all`)."""
    path = Path(path)
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:  # one parse: the nodes give line numbers, the same nodes the values
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        raise TestFileError(f"{path}:{where}: YAML syntax: {exc.problem}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TestFileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise TestFileError(f"{path}: expected a mapping with a `tests:` list")
    lines = [item.start_mark.line + 1 for item in _tests_node(root)]
    tests = []
    for item, line in zip(data["tests"], lines, strict=True):
        if not isinstance(item, dict) or "ask" not in item:
            raise TestFileError(f"{path}:{line}: each test needs `ask`")
        unknown = set(item) - {"ask", "expect", "expect_all", "municipality", "tags"}
        if unknown:
            raise TestFileError(f"{path}:{line}: unknown field {sorted(unknown)[0]!r}")
        if ("expect" in item) == ("expect_all" in item):
            raise TestFileError(f"{path}:{line}: give exactly one of `expect` or `expect_all`")
        tests.append(
            KnowledgeTest(
                messages=_strings(item["ask"], "ask", line),
                municipality=item.get("municipality"),
                expect=_strings(item["expect"], "expect", line) if "expect" in item else (),
                expect_all=(
                    _strings(item["expect_all"], "expect_all", line)
                    if "expect_all" in item
                    else ()
                ),
                tags=tuple(item.get("tags") or ()),
                line=line,
            )
        )
    return tests


def _tests_node(root: yaml.Node | None) -> list[yaml.Node]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "tests" and isinstance(value, yaml.SequenceNode):
                return list(value.value)
    return []


@dataclass
class TestResult:
    passed: list[tuple[KnowledgeTest, Reply]] = field(default_factory=list)
    failed: list[tuple[KnowledgeTest, Reply]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        total = len(self.passed) + len(self.failed)
        return len(self.passed) / total if total else 0.0

    def count(self, kind: str) -> int:
        """How many replies were of this kind ("clarify", "smalltalk")."""
        return sum(r.kind == kind for _, r in (*self.passed, *self.failed))

    @property
    def useful(self) -> float:
        """Right, plus "did you mean" replies holding a right entry among the first three."""
        results = (*self.passed, *self.failed)
        useful = sum(t.is_useful(r.ids, r.handoff, r.kind) for t, r in results)
        return useful / len(results) if results else 0.0

    def breakdown(self, group) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for ok, results in ((1, self.passed), (0, self.failed)):
            for test, _ in results:
                for name in group(test):
                    counts[name][0] += ok
                    counts[name][1] += 1
        return {name: (p, n) for name, (p, n) in sorted(counts.items())}

    def report(self, name: str) -> str:
        lines = []
        for test, reply in self.failed:
            asked = " | ".join(test.messages)
            wanted = ", ".join(test.expect_all or test.expect)
            got = "handoff" if reply.handoff else ", ".join(reply.ids[:5]) or "nothing"
            if reply.kind in ("clarify", "smalltalk"):
                got = f"{reply.kind} {got}" if reply.ids else reply.kind
            lines.append(f"FAIL {name}:{test.line}: {asked}\n     expected {wanted}; got {got}")
        total = len(self.passed) + len(self.failed)
        lines.append("")
        lines.append("by kind:")
        for kind, (p, n) in self.breakdown(lambda t: [t.kind]).items():
            lines.append(f"  {kind:22} {p / n:.3f}  ({p}/{n})")
        tags = self.breakdown(lambda t: t.tags)
        if tags:
            lines.append("by tag:")
            for tag, (p, n) in tags.items():
                lines.append(f"  {tag:22} {p / n:.3f}  ({p}/{n})")
        clarified = self.count("clarify")
        lines.append(f"replies: {clarified} clarify (did you mean), "
                     f"{self.count('smalltalk')} small talk")
        lines.append(f"useful {self.useful:.3f} (right, or clarified with a right entry "
                     f"among the first {CLARIFY_AMONG}; a clarify is never counted right)")
        lines.append(f"accuracy {self.accuracy:.3f} ({len(self.passed)}/{total})")
        return "\n".join(lines)


def run_tests(matcher: Matcher, tests: list[KnowledgeTest]) -> TestResult:
    result = TestResult()
    for test in tests:
        reply = matcher.reply(list(test.messages), test.municipality)
        ok = test.is_correct(reply.ids, reply.handoff, reply.kind)
        (result.passed if ok else result.failed).append((test, reply))
    return result
