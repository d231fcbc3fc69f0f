"""Running knowledge tests and reporting accuracy overall, by kind and by tag."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .evaluation import KnowledgeTest
from .matcher import Matcher, Reply


@dataclass
class TestResult:
    passed: list[tuple[KnowledgeTest, Reply]] = field(default_factory=list)
    failed: list[tuple[KnowledgeTest, Reply]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        total = len(self.passed) + len(self.failed)
        return len(self.passed) / total if total else 0.0

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
        lines.append(f"accuracy {self.accuracy:.3f} ({len(self.passed)}/{total})")
        return "\n".join(lines)


def run_tests(matcher: Matcher, tests: list[KnowledgeTest]) -> TestResult:
    result = TestResult()
    for test in tests:
        reply = matcher.reply(list(test.messages), test.municipality)
        ok = test.is_correct(reply.ids, reply.handoff)
        (result.passed if ok else result.failed).append((test, reply))
    return result
