"""Load on the HTTP server with wrk, beside two ceilings, in one run (issue 11).

    .venv/bin/python bench/load.py [--duration 20] [--connections 16 64] [--workers 1 2]
                                   [--database URL] [--noisy] [--quick]
                                   [--matcher-queue N]

Needs Debian's `wrk` (`apt-get install wrk`). Everything runs on loopback:
each server is started here on a free port of 127.0.0.1 and stopped at the
end; every wrk run is bounded by `--duration`.

- **matcher alone**: `Matcher.reply` in this process over the same questions,
  one thread: the rate one core can answer at, the first ceiling. It is the
  matcher the server answers with (`prepare.full`: fitted model and e5 signal,
  the same cache folder), in the state the load meets it: every question seen
  once, so its e5 query vector is in the matcher's memory, as the server's is
  after the warm-up pass below (wrk's script repeats the same questions).
  Beside it, for reference: that matcher when every message is new to e5 (what
  unique learners' messages cost), and the quick lexical matcher (what this
  line measured until the fitted matcher came, the server's only until its fit
  is swapped in).
- **hello**: a minimal aiohttp handler answering `{"ok": true}`, the second.
- **navguide**: `navguide serve --workers N` with records on SQLite (or the
  `--database` given), rate limits on as by default. wrk's Lua script rotates
  realistic questions (the benchmark's dev questions) and gives each request a
  random `X-Forwarded-For` (loopback is a trusted proxy by default), so the
  load is many learners, none over their limit.
- **--noisy**: the same load while 4 connections send 1,000-character messages
  and one client floods from a single address; the others' p99 is compared
  with the quiet run.

Printed: requests/s, p50/p99 (of every response), errors (non-2xx and socket
errors; a 503 is the server refusing at once because its matcher queue is full,
see the `matcher_queue` setting, and "answered/s" then counts the 2xx only), the
server's RSS before and after, and what /api/health says of the record store
(written, dropped) after the run, beside the issue's figures as the baseline.
Always exits 0: these are measurements, not tests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from common import DEFAULT_KNOWLEDGE, DEFAULT_QUESTIONS, OUT, REPO, load_tests

CACHE = OUT / "cache"  # fitted models and embeddings: the server's and the ceiling's

STARTER_KNOWLEDGE = REPO / "knowledge"
STARTER_TESTS = REPO / "tests" / "knowledge" / "starter-tests.yaml"
# What issue 11 measured before this work, on the same kind of machine.
BASELINE = {16: "855 req/s, p50 17.5 ms, p99 50 ms", 64: "915 req/s"}

HELLO = """
import sys
from aiohttp import web
async def hello(request):
    await request.read()
    return web.json_response({"ok": True})
app = web.Application()
app.router.add_post("/api/chat", hello)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""

LUA = """
local bodies = {%(bodies)s}
local fixed = %(fixed)s
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread)
  thread:set("seed", math.random(1, 1000000))
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(seed or os.time()) n = math.random(1, #bodies)
  ok, busy, limited, other = 0, 0, 0, 0
end
function response(status, headers, body)
  if status < 300 then ok = ok + 1 elseif status == 503 then busy = busy + 1
  elseif status == 429 then limited = limited + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local t = {ok = 0, busy = 0, limited = 0, other = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  io.write(string.format("statuses: 2xx %%d, 503 %%d, 429 %%d, other %%d\\n",
                         t.ok, t.busy, t.limited, t.other))
end
function request()
  n = n %% #bodies + 1
  local client = fixed or string.format("10.%%d.%%d.%%d", math.random(0, 255),
      math.random(0, 255), math.random(1, 254))
  return wrk.format("POST", "/api/chat", {["Content-Type"] = "application/json",
      ["X-Forwarded-For"] = client}, bodies[n])
end
"""


def lua_string(text: str) -> str:
    """A Lua long string: LuaJIT (wrk) reads no JSON "\\u00e4" escapes, so raw UTF-8."""
    assert "]==]" not in text
    return f"[==[{text}]==]"


def write_script(name: str, bodies: list[str], fixed_client: str | None = None) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / name
    path.write_text(LUA % {"bodies": ", ".join(lua_string(b) for b in bodies),
                           "fixed": lua_string(fixed_client) if fixed_client else "nil"},
                    encoding="utf-8")
    return path


def check_script(script: Path) -> None:
    """wrk silently falls back to `GET /` when its script does not load: refuse that."""
    result = subprocess.run(["wrk", "-t1", "-c1", "-d1s", "-s", str(script),
                             "http://127.0.0.1:9"], capture_output=True, text=True)
    out = result.stdout + result.stderr
    # A Lua error names the script ("load.lua:25: unfinished string"), not always "error".
    if f"{script}:" in out or ("error" in out.lower() and "unable to connect" not in out.lower()):
        raise SystemExit(f"wrk cannot load {script}: {out}")


def questions(knowledge: Path) -> tuple[list[str], Path]:
    source = DEFAULT_QUESTIONS if knowledge == DEFAULT_KNOWLEDGE else STARTER_TESTS
    tests = [t for t in load_tests(source) if len(t.messages) == 1]
    return [t.messages[0] for t in tests][:300], source


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(port: int, path: str = "/api/health", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                if path is None:
                    return
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


def rss_kib(pid: int) -> int:
    """RSS of a process and all its children (the workers), in KiB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


@dataclass
class Result:
    rate: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    answered: int = 0  # 2xx
    busy: int = 0  # 503: the matcher queue was full
    limited: int = 0  # 429
    seconds: float = 0.0
    text: str = ""

    @property
    def answered_rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(text: str) -> Result:
    result = Result(text=text)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", text):
        result.rate = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", text):
        result.requests = int(m.group(1))
        result.seconds = _ms(m.group(2), m.group(3)) / 1000
    if m := re.search(r"statuses: 2xx (\d+), 503 (\d+), 429 (\d+)", text):
        result.answered, result.busy, result.limited = (int(g) for g in m.groups())
    for pct, attr in (("50", "p50_ms"), ("99", "p99_ms")):
        if m := re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M):
            setattr(result, attr, _ms(m.group(1), m.group(2)))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        result.errors += int(m.group(1))
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    if m := re.search(socket_errors, text):
        result.errors += sum(int(g) for g in m.groups())
    return result


def wrk(port: int, script: Path, connections: int, duration: int,
        threads: int = 2) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s",
         "--timeout", "5s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_wrk(port: int, script: Path, connections: int, duration: int) -> Result:
    out, _ = wrk(port, script, connections, duration).communicate(timeout=duration + 60)
    return parse_wrk(out)


def matcher_alone(knowledge: Path, messages: list[str], seconds: float) -> dict[str, float]:
    """Replies/s of the server's matcher, in-process, one thread (see the docstring).

    "served": fitted + e5 with the questions' query vectors in memory (the state
    the wrk load meets); "new": the same, every message embedded; "quick": the
    lexical matcher with the model at hand.
    """
    if str(REPO / "src") not in sys.path:
        sys.path.insert(0, str(REPO / "src"))
    from navguide.holder import build, fitted
    from navguide.matcher.prepare import Preparation

    prep = Preparation(cache=CACHE)  # as the server started below: semantic on, one thread
    quick = build(knowledge, prep)
    served = fitted(quick, prep).matcher
    encoder = served.semantic.encoder if served.semantic is not None else None

    def rate(matcher, forget: bool = False) -> float:  # type: ignore[no-untyped-def]
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            if forget and encoder is not None:
                encoder._recent.clear()  # the message is new to e5
            matcher.reply([messages[done % len(messages)]], None, "sv")
            done += 1
        return done / (time.perf_counter() - start)

    for message in messages:  # every question once, as the server's warm-up pass
        served.reply([message], None, "sv")
        quick.matcher.reply([message], None, "sv")
    return {"served": rate(served), "new": rate(served, forget=True),
            "quick": rate(quick.matcher), "semantic": float(encoder is not None)}


def wait_fitted(log: Path, workers: int, timeout: float = 300.0) -> bool:
    """Until every worker has swapped in its fitted matcher (its log line says so)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if log.read_text(errors="replace").count("matcher fitted to version") >= workers:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def warm_up(port: int, bodies: list[str], passes: int) -> None:
    """Send every question `passes` times (4 at a time, a new connection each, so
    that with workers each one sees most of them): the server's e5 query vectors
    are then in memory as the in-process matcher's are."""
    from concurrent.futures import ThreadPoolExecutor

    def send(numbered: tuple[int, str]) -> None:
        n, body = numbered
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/chat", data=body.encode(), headers={
                "Content-Type": "application/json",
                "X-Forwarded-For": f"10.250.{n // 250 % 250}.{n % 250 + 1}"})
        with contextlib.suppress(OSError):  # a 429 or 503: one question less warmed
            urllib.request.urlopen(request, timeout=60).read()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(send, enumerate(bodies * passes)))


def start_navguide(port: int, knowledge: Path, workers: int, database: str,
                   log: Path, watch: bool = False,
                   matcher_queue: int | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NAVGUIDE_SECRET": "bench-secret", "NAVGUIDE_DATABASE_URL": database,
           "NAVGUIDE_CACHE_DIR": str(CACHE)}
    if matcher_queue is not None:
        env["NAVGUIDE_MATCHER_QUEUE"] = str(matcher_queue)
    navguide = shutil.which("navguide", path=str(Path(sys.executable).parent)) or "navguide"
    return subprocess.Popen(
        [navguide, "serve", "--knowledge", str(knowledge), "--port", str(port),
         *([] if watch else ["--no-watch"]), "--workers", str(workers)],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as response:
        return json.load(response)


def records_line(port: int) -> str:
    try:
        records = health(port).get("records", {})
    except OSError as exc:
        return f"health unreachable: {exc}"
    return (f"records written {records.get('written')}, dropped {records.get('dropped')}, "
            f"queued {records.get('queued')}, state {records.get('state')}")


def line(label: str, r: Result) -> str:
    shed = f" ({r.busy} of them 503 busy)" if r.busy else ""
    return (f"  {label:<34} {r.rate:>9.0f} req/s  p50 {r.p50_ms:>7.1f} ms  "
            f"p99 {r.p99_ms:>7.1f} ms  {r.requests:>8} requests  {r.errors} errors{shed}"
            + (f"; {r.answered_rate:.0f} answered/s" if r.busy else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=None)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database", default=None,
                        help="records store (default: SQLite in a temporary folder)")
    parser.add_argument("--noisy", action="store_true",
                        help="also run with long messages and a flood beside the load")
    parser.add_argument("--quick", action="store_true", help="5 s runs, 16 connections")
    parser.add_argument("--matcher-queue", type=int, default=None,
                        help="the servers' matcher_queue (default: the setting's default)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 0
    if args.quick:
        args.duration, args.connections = 5, [16]
    knowledge = args.knowledge or (DEFAULT_KNOWLEDGE if DEFAULT_KNOWLEDGE.is_dir()
                                   else STARTER_KNOWLEDGE)
    messages, source = questions(knowledge)
    bodies = [json.dumps({"message": m}, ensure_ascii=False) for m in messages]
    check_script(normal_script := write_script("load.lua", bodies))
    normal = normal_script
    print(f"knowledge {knowledge}; {len(messages)} questions from {source.name}; "
          f"wrk runs of {args.duration} s; {os.cpu_count()} cores (shared with other work)")

    print("\nceiling 1: the matcher alone, in-process, one thread")
    rates = matcher_alone(knowledge, messages, min(10.0, args.duration))
    alone = rates["served"]
    signal = "fitted, e5 on" if rates["semantic"] else "fitted, e5 not installed"
    print(f"  {'matcher alone (' + signal + ')':<34} {alone:>9.0f} replies/s"
          "   the server's matcher, questions seen once")
    print(f"  {'  same, every message new to e5':<34} {rates['new']:>9.0f} replies/s"
          "   what unique messages cost")
    print(f"  {'  quick lexical matcher':<34} {rates['quick']:>9.0f} replies/s"
          "   before the fit is swapped in")

    print("\nceiling 2: a minimal aiohttp handler")
    port = free_port()
    hello = subprocess.Popen([sys.executable, "-c", HELLO, str(port)], start_new_session=True)
    try:
        wait_up(port, path=None)
        for c in args.connections:
            print(line(f"hello, {c} connections", run_wrk(port, normal, c, args.duration)))
    finally:
        stop(hello)

    temp = Path(tempfile.mkdtemp(prefix="navguide-load-"))
    quiet: dict[tuple[int, int], Result] = {}
    try:
        for workers in args.workers:
            database = args.database or f"sqlite:///{temp / f'records-{workers}.sqlite3'}"
            port = free_port()
            server = start_navguide(port, knowledge, workers, database,
                                    temp / f"serve-{workers}.log",
                                    matcher_queue=args.matcher_queue)
            try:
                wait_up(port)
                rss_start = rss_kib(server.pid)
                ready = wait_fitted(temp / f"serve-{workers}.log", workers)
                warm_up(port, bodies, passes=1 if workers == 1 else workers + 1)
                shown = "PostgreSQL" if database.startswith("postgres") else "SQLite"
                print(f"\nnavguide serve --workers {workers} (records on {shown}), "
                      f"RSS at start {rss_start / 1024:.0f} MiB; "
                      f"{'fitted matcher' if ready else 'NOT fitted in time'}, warmed "
                      f"({1 if workers == 1 else workers + 1} pass(es) of the questions)")
                for c in args.connections:
                    result = run_wrk(port, normal, c, args.duration)
                    quiet[(workers, c)] = result
                    print(line(f"/api/chat, {c} connections", result))
                    if workers == 1 and c in BASELINE:
                        print(f"  {'':<34} baseline before issue 11: {BASELINE[c]}")
                    time.sleep(1.0)
                    print(f"  {'':<34} RSS {rss_kib(server.pid) / 1024:.0f} MiB; "
                          f"{records_line(port)}")
                if args.noisy:
                    noisy_run(port, bodies, workers, args, quiet)
            finally:
                stop(server)
        # Other work on a shared machine comes and goes: the ceiling again, after the
        # servers, and the ratio against the mean of both.
        after = matcher_alone(knowledge, messages, min(10.0, args.duration))["served"]
        print(f"\nmatcher alone again, after the servers: {after:.0f} replies/s "
              f"(before them {alone:.0f}; the targets use the mean)")
        alone = (alone + after) / 2
        print("\ntargets")
        one = quiet.get((1, max(args.connections)))
        two = quiet.get((2, max(args.connections)))
        if one:
            print(f"  one process / matcher alone: {one.answered_rate / alone:.2f} "
                  "(answered/s; target >= 0.70)")
            print(f"  p99 at {max(args.connections)} connections: {one.p99_ms:.1f} ms "
                  "(target < 100 ms)")
        if one and two:
            print(f"  --workers 2 / one: {two.answered_rate / one.answered_rate:.2f} "
                  "(answered/s; target >= 1.7)")
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return 0


def noisy_run(port: int, bodies: list[str], workers: int, args: argparse.Namespace,
              quiet: dict[tuple[int, int], Result]) -> None:
    long_text = ("Jag undrar hur jag söker till komvux och vad det kostar " * 20)[:1000]
    long_script = write_script("load-long.lua", [json.dumps({"message": long_text},
                                                            ensure_ascii=False)])
    flood_script = write_script("load-flood.lua", bodies[:5], fixed_client="192.0.2.66")
    c = 16
    others = wrk(port, write_script("load.lua", bodies), c, args.duration)
    long = wrk(port, long_script, 4, args.duration, threads=1)
    flood = wrk(port, flood_script, 4, args.duration, threads=1)
    results = {name: parse_wrk(p.communicate(timeout=args.duration + 60)[0])
               for name, p in (("others", others), ("long", long), ("flood", flood))}
    print(f"  noisy: {c} connections of learners, beside 4 sending 1,000 characters and a "
          "flood of 4 connections from one address")
    print(line("learners (others)", results["others"]))
    print(line("1,000-character messages", results["long"]))
    print(line("flood, one client (429s are errors)", results["flood"]))
    base = quiet.get((workers, c))
    if base and base.p99_ms:
        print(f"  others' p99 / quiet p99 at {c}: {results['others'].p99_ms / base.p99_ms:.2f} "
              "(target <= 2)")
    time.sleep(1.0)
    print(f"  {'':<34} {records_line(port)}")


if __name__ == "__main__":
    sys.exit(main())
