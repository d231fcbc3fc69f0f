"""Speed and memory of the in-process matcher, at three sizes of knowledge, beside the peers.

    .venv/bin/python bench/speed.py [--rounds 5] [--sizes 10000 100000] [--core N]

For the benchmark knowledge and generated knowledge of 10,000 and 100,000
courses (made by generate.py when missing), a fresh child process pinned to
one core loads the knowledge, builds the matcher and answers every dev
question several times. Each size gets its own process so that one size's
memory does not count in the next. The peers (e5, BM25) are timed the same
way on the benchmark knowledge.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from common import DEFAULT_KNOWLEDGE, OUT, SHARED_BENCH, load_tests, municipality_names

DEFAULT_QUESTIONS = SHARED_BENCH / "questions-dev.yaml"

TARGET_P99_MS = {"benchmark": 60.0, "gen-100000": 100.0}  # fitted, semantic on the bench
MiB = 1024 * 1024


# ---------------------------------------------------------------- child: one size


def rss_bytes() -> int:
    """Resident set size of this process, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)

    def at(q: float) -> float:
        # Nearest rank: p99 of 2,025 samples is the 2,005th, a time really measured.
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] / 1e6

    return {
        "n": len(ordered),
        "mean_ms": statistics.fmean(ordered) / 1e6,
        "p50_ms": at(0.50),
        "p99_ms": at(0.99),
        "max_ms": ordered[-1] / 1e6,
    }


def time_calls(
    call: Callable[[list[str], str | None], object],
    questions: Sequence[tuple[list[str], str | None]],
    rounds: int,
    budget_s: float,
) -> dict[str, float]:
    """Per-call latency over `rounds` passes of all questions, after one warm-up pass.

    Fewer passes (at least one) when the warm-up pass says they would not fit in
    `budget_s`: a slow matcher at 100,000 courses must not take the afternoon.
    """
    warm_up = time.perf_counter()
    for messages, municipality in questions:
        call(messages, municipality)
    per_round = time.perf_counter() - warm_up
    rounds = max(1, min(rounds, int(budget_s // max(per_round, 1e-9))))
    samples: list[int] = []
    gc.collect()
    for _ in range(rounds):
        for messages, municipality in questions:
            started = time.perf_counter_ns()
            call(messages, municipality)
            samples.append(time.perf_counter_ns() - started)
    return percentiles(samples) | {"rounds": rounds}


def measure_fitted(loaded, quick, questions: list, rounds: int, budget_s: float,
                   semantic: bool) -> dict:
    """Fit (and embed) cold, then again from the cache; latency of the fitted matcher."""
    import shutil
    import tempfile

    from navguide.matcher.prepare import Preparation, full

    folder = Path(tempfile.mkdtemp(prefix="navguide-speed-"))
    out: dict = {}
    try:
        if semantic:  # the embeddings are the slow part: start from the shared ones
            shutil.copytree(OUT / "cache" / "multilingual-e5-small-q4",
                            folder / "multilingual-e5-small-q4", dirs_exist_ok=True)
        prep = Preparation(semantic=semantic, cache=folder)
        started = time.perf_counter()
        fitted = full(loaded, prep, quick)
        out["fit_s"] = time.perf_counter() - started
        started = time.perf_counter()
        full(loaded, prep, quick)
        out["cached_s"] = time.perf_counter() - started
        encoder = fitted.semantic.encoder if fitted.semantic is not None else None
        turns = as_turns(fitted, questions)

        def reply(messages: list[str], context: tuple) -> object:
            if encoder is not None:
                encoder._recent.clear()  # every message embedded anew, as a learner's is
            municipality, shown = context
            return fitted.reply(messages, municipality, shown=shown)

        timed = time_calls(reply, turns, rounds, budget_s)
        out |= {f"fitted_{k}": v for k, v in timed.items()}
        out["semantic"] = fitted.semantic is not None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def as_turns(matcher, questions: list) -> list:
    """Each message of each conversation as the service gets it: the earlier turns'
    reply comes as the signed `shown` of the context, never answered again."""
    from navguide.matcher.followups import Shown

    turns = []
    for messages, municipality in questions:
        shown = None
        for n in range(1, len(messages) + 1):
            turns.append((messages[:n], (municipality, shown)))
            shown = Shown.of(matcher.reply(messages[:n], municipality, shown=shown))
    return turns


def measure_navguide(knowledge: Path, questions: list, rounds: int, budget_s: float,
                     semantic: bool = False) -> dict:
    """Load time, memory and latency of the in-process matcher; or why it could not run."""
    try:
        from navguide.knowledge import load_knowledge
        from navguide.matcher import Matcher
    except ImportError as exc:
        return {"error": f"in-process matcher not importable: {exc}"}

    gc.collect()
    rss_before = rss_bytes()
    started = time.perf_counter()
    loaded, problems = load_knowledge(knowledge)
    loaded_at = time.perf_counter()
    matcher = Matcher(loaded)
    built_at = time.perf_counter()
    gc.collect()
    result: dict = {
        "courses": len(loaded.courses),
        "entries": len(loaded.topics) + len(loaded.courses) + len(loaded.centres),
        "errors": sum(1 for p in problems if getattr(p, "severity", "error") == "error"),
        "load_s": loaded_at - started,
        "index_s": built_at - loaded_at,
        "rss_mib": (rss_bytes() - rss_before) / MiB,
    }
    result |= time_calls(matcher.reply, questions, rounds, budget_s)
    result |= measure_fitted(loaded, matcher, questions, rounds, budget_s, semantic)

    # A second load under tracemalloc: its peak and what stays allocated (Python objects only).
    # Done after the timings, since tracing slows everything it watches.
    tracemalloc.start()
    again = Matcher(load_knowledge(knowledge)[0])
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del again
    result |= {"traced_mib": current / MiB, "traced_peak_mib": peak / MiB}
    return result


def measure_peers(knowledge: Path, questions: list, rounds: int, budget_s: float) -> dict:
    """Per-message time of each peer: the query's embedding or tokens, scoring, ranking."""
    from common import KnowledgeTest, read_entries
    from peers import Bm25Scorer, E5Scorer, Peer, peer_query

    entries = read_entries(knowledge)
    names = municipality_names(knowledge)
    out = {}
    for scorer in (E5Scorer, Bm25Scorer):
        # threads=1: the e5 engine uses OpenMP; on one pinned core more threads only contend.
        peer = Peer(entries, scorer, threads=1) if scorer is E5Scorer else Peer(entries, scorer)

        def call(messages: list[str], municipality: str | None, peer: Peer = peer) -> object:
            test = KnowledgeTest(messages=tuple(messages), municipality=municipality)
            return peer.rank(peer_query(test, names))

        out[peer.name] = time_calls(call, questions, rounds, budget_s)
    return out


def child(args: argparse.Namespace) -> None:
    if args.core is not None:
        os.sched_setaffinity(0, {args.core})
    tests = load_tests(args.questions)
    questions = [(list(t.messages), t.municipality) for t in tests]
    result = {"navguide": measure_navguide(args.measure, questions, args.rounds, args.budget,
                                           args.semantic)}
    if args.peers:
        result["peers"] = measure_peers(args.measure, questions, args.peer_rounds, args.budget)
    print(json.dumps(result))


# ---------------------------------------------------------------- parent: the table


def run_child(args: argparse.Namespace, label: str, knowledge: Path, peers: bool) -> dict:
    cmd = [
        sys.executable, __file__, "--measure", str(knowledge), "--questions", str(args.questions),
        "--rounds", str(args.rounds), "--peer-rounds", str(args.peer_rounds),
        "--core", str(args.core), "--budget", str(args.budget),
    ]  # fmt: skip
    if peers:
        cmd.append("--peers")
    if label == "benchmark" or args.semantic_everywhere:
        cmd.append("--semantic")
    # One OpenMP thread for e5 on the one core; set before the child starts its runtime.
    env = dict(os.environ, OMP_NUM_THREADS="1")
    print(f"measuring {label} ...", file=sys.stderr, flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        how = f"killed by signal {-done.returncode}" if done.returncode < 0 else "failed"
        return {"navguide": {"error": f"child {how} (exit {done.returncode}): {tail}"}}
    return json.loads(done.stdout.strip().splitlines()[-1])


def knowledge_sets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The benchmark knowledge and the generated sizes, (re)made when missing or stale."""
    from generate import ensure

    sets = [("benchmark", args.knowledge)]
    for size in args.sizes:
        print(f"knowledge of {size} courses ...", file=sys.stderr, flush=True)
        sets.append((f"gen-{size}", ensure(args.knowledge, size)))
    return sets


def print_table(rows: list[tuple[str, dict]], args: argparse.Namespace) -> None:
    print(
        f"one core (cpu {args.core}); latency = one reply() call, over `rounds` passes of the "
        f"{args.count} dev questions\nafter a warm-up pass (up to {args.rounds}, fewer where they "
        f"would take over {args.budget:g} s)"
    )
    print(
        "load = load_knowledge(); index = Matcher(knowledge); RSS Δ = resident memory grown by "
        "both;\ntraced = tracemalloc after a second load + index (Python objects kept), "
        "peak = its high-water mark\n"
    )
    head = (
        f"{'':22}{'courses':>8}{'entries':>8}{'load s':>8}{'index s':>8}{'RSS Δ MiB':>10}"
        f"{'traced':>8}{'peak':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'mean ms':>8}"
        f"{'rounds':>7}"
    )
    print(head)
    print("-" * len(head))
    for label, result in rows:
        ours = result["navguide"]
        if "error" in ours:
            print(f"{'navguide ' + label:22}  {ours['error']}")
            continue
        print(
            f"{'navguide ' + label:22}{ours['courses']:>8}{ours['entries']:>8}"
            f"{ours['load_s']:>8.2f}{ours['index_s']:>8.2f}{ours['rss_mib']:>10.1f}"
            f"{ours['traced_mib']:>8.1f}{ours['traced_peak_mib']:>8.1f}"
            f"{ours['p50_ms']:>8.2f}{ours['p99_ms']:>8.2f}{ours['max_ms']:>8.2f}"
            f"{ours['mean_ms']:>8.2f}{ours['rounds']:>7}"
        )
    print("\nfitted = the matcher fitted to the knowledge (prepare.full): fit s cold (a new "
          "cache;\nembeddings of the benchmark's texts copied in), cached s = the same again "
          "from the cache;\nlatency per message as the service gets it (earlier turns as the "
          "context's `shown`),\nevery message embedded anew (no query cache)")
    head2 = (f"{'':22}{'semantic':>9}{'fit s':>8}{'cached s':>9}{'p50 ms':>8}{'p99 ms':>8}"
             f"{'max ms':>8}{'mean ms':>8}")
    print(head2)
    print("-" * len(head2))
    for label, result in rows:
        ours = result["navguide"]
        if "fit_s" not in ours:
            continue
        print(f"{'fitted ' + label:22}{'on' if ours['semantic'] else 'off':>9}"
              f"{ours['fit_s']:>8.1f}{ours['cached_s']:>9.2f}{ours['fitted_p50_ms']:>8.2f}"
              f"{ours['fitted_p99_ms']:>8.2f}{ours['fitted_max_ms']:>8.2f}"
              f"{ours['fitted_mean_ms']:>8.2f}")
    for label, result in rows:
        for name, peer in result.get("peers", {}).items():
            print(
                f"{name + ' peer ' + label:22}{'':>58}"
                f"{peer['p50_ms']:>8.2f}{peer['p99_ms']:>8.2f}{peer['max_ms']:>8.2f}"
                f"{peer['mean_ms']:>8.2f}{peer['rounds']:>7}"
            )
    print("\nTargets (navguide p99):")
    for label, result in rows:
        if label not in TARGET_P99_MS:
            continue
        target = TARGET_P99_MS[label]
        ours = result["navguide"]
        if "fitted_p99_ms" not in ours:
            print(f"  FAIL  p99 < {target:g} ms on {label:12} not measured")
        else:
            verdict = "PASS" if ours["fitted_p99_ms"] < target else "FAIL"
            print(f"  {verdict}  p99 < {target:g} ms on {label:12} "
                  f"{ours['fitted_p99_ms']:.2f} ms (fitted)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_KNOWLEDGE)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the questions")
    parser.add_argument("--peer-rounds", type=int, default=1, help="timed passes for the peers")
    parser.add_argument(
        "--budget", type=float, default=120.0, help="seconds of timed calls per size, at most"
    )
    parser.add_argument("--core", type=int, default=max(os.sched_getaffinity(0)))
    parser.add_argument("--no-peers", action="store_true")
    # Internal: run as the child that measures one knowledge folder.
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--peers", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--semantic", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--semantic-everywhere", action="store_true",
                        help="the semantic signal at the generated sizes too (embeds every "
                        "course title: long the first time)")
    args = parser.parse_args(argv)
    if args.measure:
        child(args)
        return
    args.count = len(load_tests(args.questions))
    rows = [
        (label, run_child(args, label, folder, peers=label == "benchmark" and not args.no_peers))
        for label, folder in knowledge_sets(args)
    ]
    print_table(rows, args)


if __name__ == "__main__":
    main()
