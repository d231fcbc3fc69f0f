"""Answer quality of navguide beside two peers (BM25 and e5), on one knowledge and question set.

    .venv/bin/python bench/quality.py [--knowledge DIR] [--questions FILE] [--failures]

navguide is run as `navguide ask --jsonl --knowledge DIR`, one process for all
the questions; the peers run in this process (see peers.py). Every reply is
judged by `navguide.counsellor.knowledge_tests`, as `navguide test` judges it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from common import (
    DEFAULT_KNOWLEDGE,
    DEFAULT_QUESTIONS,
    REPO,
    KnowledgeTest,
    load_tests,
    municipality_names,
    read_entries,
)
from peers import Bm25Scorer, E5Scorer, Peer, evaluate, peer_query

OVERALL_TARGET = 0.90
TAG_TARGET = 0.80
HANDOFF_TARGET = 0.90


@dataclass(frozen=True)
class Reply:
    ids: tuple[str, ...]
    handoff: bool


@dataclass(frozen=True)
class System:
    name: str
    correct: list[bool] | None  # None: the system could not be run
    note: str = ""


# ---------------------------------------------------------------- navguide


def navguide_command(override: str | None) -> tuple[list[str], dict[str, str]]:
    """The command that runs navguide, and its environment.

    The venv's `navguide` script once the package is installed; until then the
    CLI from the source tree.
    """
    env = dict(os.environ)
    if override:
        return shlex.split(override), env
    script = Path(sys.executable).parent / "navguide"
    if script.exists():
        return [str(script)], env
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return [sys.executable, "-m", "navguide"], env


def run_navguide(
    tests: Sequence[KnowledgeTest], knowledge: Path, command: str | None
) -> tuple[list[Reply] | None, str]:
    """All questions through one `navguide ask --jsonl` process; (replies, note)."""
    cmd, env = navguide_command(command)
    cmd += ["ask", "--jsonl", "--knowledge", str(knowledge)]
    lines = []
    for t in tests:
        request: dict[str, object] = {"messages": list(t.messages)}
        if t.municipality:
            request["municipality"] = t.municipality
        lines.append(json.dumps(request, ensure_ascii=False))
    started = time.perf_counter()
    try:
        done = subprocess.run(
            cmd,
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=900,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"could not run {shlex.join(cmd)}: {exc}"
    elapsed = time.perf_counter() - started
    out = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(out) != len(tests):
        tail = done.stderr.strip().splitlines()[-3:]
        return None, (
            f"{shlex.join(cmd)} exited {done.returncode} with {len(out)} of {len(tests)} "
            f"replies: {' | '.join(tail)}"
        )
    replies = []
    for line in out:
        data = json.loads(line)
        replies.append(Reply(tuple(data.get("ids") or ()), bool(data.get("handoff"))))
    return replies, f"{elapsed:.1f} s for {len(tests)} questions, one process (start-up included)"


def run_in_process(
    tests: Sequence[KnowledgeTest], knowledge: Path
) -> tuple[list[Reply] | None, str]:
    """The same questions through the in-process Matcher (quicker; not the contract)."""
    try:
        from navguide.knowledge import load_knowledge
        from navguide.matcher import Matcher
    except ImportError as exc:
        return None, f"in-process matcher not importable: {exc}"
    started = time.perf_counter()
    matcher = Matcher(load_knowledge(knowledge)[0])
    replies = []
    for t in tests:
        reply = matcher.reply(list(t.messages), t.municipality)
        replies.append(Reply(tuple(reply.ids), bool(reply.handoff)))
    elapsed = time.perf_counter() - started
    return replies, f"{elapsed:.1f} s for {len(tests)} questions, in process (--in-process)"


# ---------------------------------------------------------------- table


def groups(tests: Sequence[KnowledgeTest]) -> list[tuple[str, list[int]]]:
    """Row label -> indices of its tests: overall, each kind, each tag."""
    rows = [("overall", list(range(len(tests))))]
    for kind in ("answer", "handoff", "search"):
        rows.append((f"kind {kind}", [i for i, t in enumerate(tests) if t.kind == kind]))
    tags = sorted({tag for t in tests for tag in t.tags})
    for tag in tags:
        rows.append((f"tag {tag}", [i for i, t in enumerate(tests) if tag in t.tags]))
    return [(label, idx) for label, idx in rows if idx]


def accuracy(correct: list[bool], idx: list[int]) -> float:
    return sum(correct[i] for i in idx) / len(idx)


def ahead(ours: float, peers: Sequence[float]) -> bool:
    """Strictly ahead of every peer; a perfect score counts even when a peer ties it."""
    return ours == 1.0 or all(ours > p for p in peers)


def peer_results(systems: Sequence[System]) -> list[list[bool]]:
    """The peers' judgements (every system after navguide that could be run)."""
    return [s.correct for s in systems[1:] if s.correct is not None]


def print_table(tests: Sequence[KnowledgeTest], systems: Sequence[System]) -> None:
    ours = systems[0].correct
    peers = peer_results(systems)
    head = f"{'':28}{'n':>5}" + "".join(f"{s.name:>10}" for s in systems)
    print(head)
    print("-" * len(head))
    for label, idx in groups(tests):
        cells = []
        for s in systems:
            cells.append(
                f"{accuracy(s.correct, idx):>10.3f}" if s.correct is not None else f"{'—':>10}"
            )
        # A mark where navguide is not ahead of the better peer on this row.
        mark = ""
        if ours is not None and peers:
            ok = ahead(accuracy(ours, idx), [accuracy(p, idx) for p in peers])
            mark = "" if ok else "  ← not ahead"
        print(f"{label:28}{len(idx):>5}" + "".join(cells) + mark)


def check_targets(tests: Sequence[KnowledgeTest], systems: Sequence[System]) -> None:
    ours = systems[0].correct
    print("\nTargets (navguide):")
    if ours is None:
        print("  not measured: navguide could not be run")
        return
    rows = dict(groups(tests))
    tag_rows = {label[4:]: idx for label, idx in rows.items() if label.startswith("tag ")}
    overall = accuracy(ours, rows["overall"])
    low_tags = [
        f"{t} {accuracy(ours, i):.3f}"
        for t, i in tag_rows.items()
        if accuracy(ours, i) < TAG_TARGET
    ]
    handoff = accuracy(ours, rows["kind handoff"]) if "kind handoff" in rows else float("nan")
    peers = peer_results(systems)
    peer_names = [s.name for s in systems[1:] if s.correct is not None]
    behind = [
        t
        for t, i in tag_rows.items()
        if not ahead(accuracy(ours, i), [accuracy(p, i) for p in peers])
    ]
    verdict = [
        (f"overall accuracy ≥ {OVERALL_TARGET:.2f}", overall >= OVERALL_TARGET, f"{overall:.3f}"),
        (f"every tag ≥ {TAG_TARGET:.2f}", not low_tags, ", ".join(low_tags) or "all"),
        (
            f"out-of-scope hand-off ≥ {HANDOFF_TARGET:.2f}",
            handoff >= HANDOFF_TARGET,
            f"{handoff:.3f}",
        ),
        (
            f"ahead of {' and '.join(peer_names) or 'no peer'} on every tag",
            bool(peers) and not behind,
            ("not ahead on: " + ", ".join(behind)) if behind else "all tags",
        ),
    ]
    for label, ok, detail in verdict:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:40} {detail}")


def print_failures(
    tests: Sequence[KnowledgeTest], replies: Sequence[Reply], correct: list[bool]
) -> None:
    print("\nnavguide's failing questions (line in the question file):")
    for t, r, ok in zip(tests, replies, correct, strict=True):
        if ok:
            continue
        asked = " / ".join(t.messages)
        where = f" [municipality {t.municipality}]" if t.municipality else ""
        expected = ("all of " + ", ".join(t.expect_all)) if t.expect_all else " | ".join(t.expect)
        got = "handoff" if r.handoff else (", ".join(r.ids[:5]) or "(nothing)")
        print(
            f"  {t.line:>5} {asked}{where}\n        expected {expected}\n        got      {got}"
            f"   [{', '.join(t.tags)}]"
        )


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_KNOWLEDGE)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--failures", action="store_true", help="list navguide's failing questions")
    parser.add_argument("--no-peers", action="store_true", help="navguide alone (quick)")
    parser.add_argument("--navguide", help="command that runs navguide (default: the venv's)")
    parser.add_argument(
        "--in-process", action="store_true", help="call navguide.matcher directly, not the CLI"
    )
    args = parser.parse_args(argv)

    tests = load_tests(args.questions)
    print(f"knowledge {args.knowledge}\nquestions {args.questions} ({len(tests)})\n")

    if args.in_process:
        replies, note = run_in_process(tests, args.knowledge)
    else:
        replies, note = run_navguide(tests, args.knowledge, args.navguide)
    ours = (
        [t.is_correct(r.ids, r.handoff) for t, r in zip(tests, replies, strict=True)]
        if replies
        else None
    )
    systems = [System("navguide", ours, note)]
    if not args.no_peers:
        systems += run_peers(tests, args.knowledge)

    for s in systems:
        print(f"{s.name:>9}: {s.note}")
    print()
    print_table(tests, systems)
    check_targets(tests, systems)
    if args.failures and replies is not None and ours is not None:
        print_failures(tests, replies, ours)


def run_peers(tests: Sequence[KnowledgeTest], knowledge: Path) -> list[System]:
    entries = read_entries(knowledge)
    names = municipality_names(knowledge)
    systems = []
    for scorer in (Bm25Scorer, E5Scorer):
        started = time.perf_counter()
        peer = Peer(entries, scorer)
        if isinstance(peer.scorer, E5Scorer):
            peer.scorer.preload_queries([peer_query(t, names) for t in tests])
        result = evaluate(peer, tests, names)
        elapsed = time.perf_counter() - started
        systems.append(
            System(
                peer.name,
                result.correct,
                f"hand-off threshold {result.threshold:.4f} (tuned on these questions), "
                f"{len(entries)} entries / {len(peer.texts)} texts, {elapsed:.1f} s",
            )
        )
    return systems


if __name__ == "__main__":
    main()
