"""Faults under load: what a learner sees and what the records keep (issue 11).

    .venv/bin/python bench/faults.py [--seconds 40] [--workers 2] [--concurrency 8]
    .venv/bin/python bench/faults.py --postgres URL [--restart-command CMD] ...

Starts `navguide serve --workers N` on a free port of 127.0.0.1 over a copy of
the knowledge, with records in SQLite, and sends chat messages from
`--concurrency` loops until the end. Meanwhile, at fixed times: the SQLite
file is deleted, a knowledge file is broken, then deleted, then restored,
SIGHUP is sent, and one worker is killed with SIGKILL. Printed: each step,
every status the learners got (any 5xx is a failure), whether any reply came
from broken knowledge (it must not), and the records: answered messages, rows
in the store at the end, and what /api/health counted as dropped.
Everything is bounded by `--seconds`; always exits 0.

`--postgres URL`: records go to that PostgreSQL database instead, and the one
fault is a restart of the database server (`--restart-command`, by default
`pg_ctlcluster VERSION CLUSTER restart` for the cluster on the URL's port, as
`pg_lsclusters` lists it, else `service postgresql restart`), once, at a third
of the run. Printed: how long the restart took, what /api/health said during
and after it, every status the learners got, and the rows the run added to
the database against the messages answered. The database server is restarted
for everyone using it: run it when no one else's tests need it.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

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
    parser.add_argument("--postgres", default=None,
                        help="records in this PostgreSQL database; the fault: restart it")
    parser.add_argument("--restart-command", default=None,
                        help="how to restart the database server (default: see above)")
    args = parser.parse_args()
    if args.postgres:
        return await postgres_restart(args)
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


def restart_command(url: str) -> list[str]:
    """pg_ctlcluster for the cluster listening on the URL's port, else the service."""
    port = str(urlsplit(url).port or 5432)
    try:
        listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True,
                                text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    for line in listed.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == port:
            return ["pg_ctlcluster", fields[0], fields[1], "restart"]
    return ["service", "postgresql", "restart"]


def count_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        try:
            return conn.execute("SELECT COUNT(*) FROM asked").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


async def postgres_restart(args: argparse.Namespace) -> int:
    global answered
    source = DEFAULT_KNOWLEDGE if DEFAULT_KNOWLEDGE.is_dir() else REPO / "knowledge"
    command = shlex.split(args.restart_command) if args.restart_command else \
        restart_command(args.postgres)
    temp = Path(tempfile.mkdtemp(prefix="navguide-faults-"))
    rows_before = count_rows(args.postgres)
    port = free_port()
    server = start_navguide(port, source, args.workers, args.postgres, temp / "serve.log")
    statuses: collections.Counter = collections.Counter()
    versions: set[str] = set()
    seen: list[str] = []
    try:
        wait_up(port)
        answered = 0
        start = time.monotonic()
        until = start + args.seconds
        load = asyncio.create_task(learners(port, until, args.concurrency, statuses, versions))
        await asyncio.sleep(args.seconds / 3)
        print(f"t={time.monotonic() - start:5.1f}s  {time.strftime('%H:%M:%S')} UTC  "
              f"restart the database: {' '.join(command)}", flush=True)
        began = time.monotonic()
        done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True,
                                       timeout=120)
        took = time.monotonic() - began
        print(f"t={time.monotonic() - start:5.1f}s  restart command exit {done.returncode} "
              f"after {took:.1f} s {done.stderr.strip()[:200]}", flush=True)
        while time.monotonic() < until - 1:
            try:
                state = await asyncio.to_thread(health, port)
                records = state["records"]
                shown = f"status {state['status']}, records {records}"
                key = f"{state['status']} {records['state']} {records['dropped']}"
            except OSError as exc:
                shown = key = f"health: {exc}"
            if not seen or seen[-1] != key:  # each change of state, once
                print(f"t={time.monotonic() - start:5.1f}s  health: {shown}", flush=True)
                seen.append(key)
            await asyncio.sleep(0.5)
        total = await load
        await asyncio.sleep(1.0)  # the last batch
        final = health(port)
    finally:
        stop(server)
    rows = count_rows(args.postgres) - rows_before
    server_log = (temp / "serve.log").read_text(encoding="utf-8", errors="replace")
    five = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
    print(f"\nlearners' statuses: {dict(statuses)}  (5xx: {five})")
    print(f"answered {total}; rows this run added to the database: {rows} (after stop, "
          f"every worker flushed); one worker's health at the end: {final['records']}")
    warnings = [line for line in server_log.splitlines() if "record store" in line]
    print(f"record store lines in the server log: {len(warnings)}")
    for line in warnings[:6]:
        print(f"  {line[:160]}")
    print(f"tracebacks in the server log: {server_log.count('Traceback')}")
    shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
