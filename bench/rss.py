"""RSS of a navguide server over many requests (issue 11: flat within ±10 % over 500,000).

    nice -n 19 .venv/bin/python bench/rss.py [--requests 500000] [--minutes 60]
                                             [--connections 16] [--chunk 60]

Starts `navguide serve` (one process, records on SQLite in a temporary folder,
rate limits on) on a free loopback port, waits for its fitted matcher, warms it
with one pass of the questions, then runs wrk (the same script as load.py:
rotating dev questions, a random learner address per request) in chunks of
`--chunk` seconds until `--requests` are answered or `--minutes` have passed.
After each chunk it prints the requests so far, the server's RSS and what
/api/health says of the record store; at the end RSS at the start, the middle
and the end, beside the target. Run it niced: it is meant to run long beside
other work, and its figures are memory, not speed. Always exits 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from load import (
    DEFAULT_KNOWLEDGE,
    STARTER_KNOWLEDGE,
    check_script,
    free_port,
    health,
    questions,
    rss_kib,
    run_wrk,
    start_navguide,
    stop,
    wait_fitted,
    wait_up,
    warm_up,
    write_script,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=500_000)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--chunk", type=int, default=60, help="seconds per wrk run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 0
    knowledge = args.knowledge or (DEFAULT_KNOWLEDGE if DEFAULT_KNOWLEDGE.is_dir()
                                   else STARTER_KNOWLEDGE)
    messages, source = questions(knowledge)
    bodies = [json.dumps({"message": m}, ensure_ascii=False) for m in messages]
    script = write_script("rss.lua", bodies)
    check_script(script)
    temp = Path(tempfile.mkdtemp(prefix="navguide-rss-"))
    port = free_port()
    log = temp / "serve.log"
    server = start_navguide(port, knowledge, 1, f"sqlite:///{temp / 'records.sqlite3'}", log)
    samples: list[tuple[int, int]] = []  # (requests so far, RSS KiB)
    try:
        wait_up(port)
        before = rss_kib(server.pid)
        wait_fitted(log, 1)
        warm_up(port, bodies, passes=1)
        print(f"knowledge {knowledge}; {len(messages)} questions from {source.name}; "
              f"{args.connections} connections, wrk runs of {args.chunk} s; "
              f"target {args.requests} requests or {args.minutes:.0f} min")
        print(f"RSS after start {before / 1024:.1f} MiB; after fit and warm-up "
              f"{rss_kib(server.pid) / 1024:.1f} MiB", flush=True)
        samples.append((0, rss_kib(server.pid)))
        done, errors, deadline = 0, 0, time.monotonic() + 60 * args.minutes
        while done < args.requests and time.monotonic() < deadline:
            left = deadline - time.monotonic()
            result = run_wrk(port, script, args.connections, max(5, min(args.chunk, int(left))))
            done += result.requests
            errors += result.errors
            rss = rss_kib(server.pid)
            samples.append((done, rss))
            records = health(port).get("records", {})
            print(f"{time.strftime('%H:%M:%S')}  {done:>8} requests  {result.rate:6.0f} req/s  "
                  f"errors {errors}  RSS {rss / 1024:7.1f} MiB  records written "
                  f"{records.get('written')}, dropped {records.get('dropped')}", flush=True)
        first, middle, last = samples[1] if len(samples) > 1 else samples[0], \
            samples[len(samples) // 2], samples[-1]
        change = (last[1] - first[1]) / first[1] if first[1] else 0.0
        print(f"\nRSS at {first[0]} requests {first[1] / 1024:.1f} MiB, at {middle[0]} "
              f"{middle[1] / 1024:.1f} MiB, at {last[0]} {last[1] / 1024:.1f} MiB: "
              f"{change:+.1%} from the first chunk to the last (target within ±10 % over "
              f"500,000); {done} requests, {errors} errors")
        tracebacks = log.read_text(errors="replace").count("Traceback")
        print(f"tracebacks in the server log: {tracebacks}")
    finally:
        stop(server)
        shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
