"""Faults under load: what a learner sees and what the records keep (issue 11).

    .venv/bin/python bench/faults.py [--seconds 40] [--workers 2] [--concurrency 8]

Starts `navguide serve --workers N` on a free port of 127.0.0.1 over a copy of
the knowledge, with records in SQLite, and sends chat messages from
`--concurrency` loops until the end. Meanwhile, at fixed times: the SQLite
file is deleted, a knowledge file is broken, then deleted, then restored,
SIGHUP is sent, and one worker is killed with SIGKILL. Printed: each step,
every status the learners got (any 5xx is a failure), whether any reply came
from broken knowledge (it must not), and the records: answered messages, rows
in the store at the end, and what /api/health counted as dropped.
Everything is bounded by `--seconds`; always exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import aiohttp
from common import DEFAULT_KNOWLEDGE, REPO
from load import free_port, rss_kib, start_navguide, stop, wait_up

QUESTIONS = ["Hur söker jag till komvux?", "Vad kostar SFI?", "Kan jag få CSN?",
             "Var finns lärcentrum i Krokom?", "Vad blir det för väder?"]


answered = 0  # chat messages answered 200 so far, read by the steps


async def learners(port: int, until: float, concurrency: int,
                   statuses: collections.Counter, versions: set[str]) -> int:
    async def one(n: int) -> None:
        global answered
        async with aiohttp.ClientSession() as session:
            i = n
            while time.monotonic() < until:
                i += 1
                body = {"message": QUESTIONS[i % len(QUESTIONS)]}
                headers = {"X-Forwarded-For": f"10.1.{n}.{i % 250 + 1}"}
                try:
                    async with session.post(f"http://127.0.0.1:{port}/api/chat", json=body,
                                            headers=headers) as response:
                        statuses[response.status] += 1
                        if response.status == 200:
                            answered += 1
                            await response.read()
                except aiohttp.ClientError as exc:
                    statuses[type(exc).__name__] += 1
                    await asyncio.sleep(0.05)
                if i % 20 == 0:
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/api/knowledge") as r:
                            versions.add((await r.json())["version"])
                    except (aiohttp.ClientError, ValueError):
                        pass

    await asyncio.gather(*(one(n) for n in range(concurrency)))
    return answered


def replace_file(path: Path, text: str) -> None:
    """As an editor saves: a new file renamed over the old, never a half-written one."""
    temp = path.with_suffix(".tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)


def health(port: int) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as response:
        return json.load(response)


def workers_of(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    source = DEFAULT_KNOWLEDGE if DEFAULT_KNOWLEDGE.is_dir() else REPO / "knowledge"
    temp = Path(tempfile.mkdtemp(prefix="navguide-faults-"))
    knowledge = temp / "knowledge"
    shutil.copytree(source, knowledge)
    victim = sorted(knowledge.rglob("*.yaml"))[0]
    original = victim.read_text(encoding="utf-8")
    store = temp / "records.sqlite3"
    port = free_port()
    server = start_navguide(port, knowledge, args.workers, f"sqlite:///{store}",
                            temp / "serve.log", watch=True)
    statuses: collections.Counter = collections.Counter()
    versions: set[str] = set()
    try:
        wait_up(port)
        good_version = health(port)["knowledge"]
        start = time.monotonic()
        until = start + args.seconds
        load = asyncio.create_task(learners(port, until, args.concurrency, statuses, versions))
        steps = [
            (0.15, "delete the SQLite file (and -wal, -shm)",
             lambda: [Path(f"{store}{s}").unlink(missing_ok=True) for s in ("", "-wal", "-shm")]),
            (0.30, f"break {victim.name} (invalid YAML)",
             lambda: replace_file(victim, original + "\n  - id: [broken\n")),
            (0.40, f"delete {victim.name}", lambda: victim.unlink()),
            (0.50, f"restore {victim.name}", lambda: replace_file(victim, original)),
            (0.60, "SIGHUP (reload)", lambda: os.kill(server.pid, signal.SIGHUP)),
            (0.70, "kill -9 one worker",
             lambda: os.kill(workers_of(server.pid)[0], signal.SIGKILL)),
        ]
        answered_before_delete = 0
        for share, label, action in steps:
            await asyncio.sleep(max(0.0, start + share * args.seconds - time.monotonic()))
            if label.startswith("delete the SQLite"):
                answered_before_delete = answered
            action()
            await asyncio.sleep(1.5)
            try:
                state = health(port)
                shown = (f"status {state['status']}, records {state['records']}, "
                         f"knowledge {state['knowledge']}"
                         f"{' (the start version)' if state['knowledge'] == good_version else ''}")
            except OSError as exc:
                shown = f"health: {exc}"
            print(f"t={time.monotonic() - start:5.1f}s  {label:<40} -> {shown}", flush=True)
        total = await load
        final = health(port)
        rss = rss_kib(server.pid) / 1024
    finally:
        stop(server)
    with closing(sqlite3.connect(store)) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM asked").fetchone()[0]
    server_log = (temp / "serve.log").read_text(encoding="utf-8", errors="replace")
    print(f"\nlearners' statuses: {dict(statuses)}  (5xx: "
          f"{sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)})")
    print(f"knowledge versions served: {sorted(versions)} (start {good_version})")
    print(f"answered {total}, {answered_before_delete} of them before the file was deleted "
          f"(gone with it); rows in the new file: {rows}; expected about "
          f"{total - answered_before_delete}; one worker's health before stop: "
          f"{final['records']}")
    print(f"tracebacks in the server log: {server_log.count('Traceback')}; "
          f"RSS at the end {rss:.0f} MiB")
    if "Traceback" in server_log:
        at = server_log.index("Traceback")
        print(server_log[max(0, server_log.rfind("\n", 0, at - 2) + 1):at + 1500])
    shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
