"""The Skolverket import at county scale and beyond: time, memory, and what it costs after.

    .venv/bin/python bench/skolverket.py [--sizes 5000 50000] [--rounds 5]

A local aiohttp server (127.0.0.1, a thread of this process) serves N
generated adult-education events in the documented v4 shape, 100 a page.
For each N, a fresh child process runs `navguide import skolverket` against it
into a copy of the starter knowledge (wall time, peak RSS of the child); a
second fresh child then loads that knowledge and builds the matcher (load +
index time, RSS) and, for the sizes of --p99-sizes, answers the starter
knowledge's own tests and some course searches several rounds (p99 per
reply). The baseline row is the starter knowledge without an import. Nothing
here reaches the network.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from common import OUT, REPO, load_tests

STARTER = REPO / "knowledge"
STARTER_TESTS = REPO / "tests" / "knowledge" / "starter-tests.yaml"
MiB = 1024 * 1024
CODES = {"2303": ("Ragunda", ["Hammarstrand", "Stugun", "Bispgården"]),
         "2305": ("Bräcke", ["Bräcke", "Gällö", "Kälarne"]),
         "2309": ("Krokom", ["Krokom", "Föllinge", "Ås"]),
         "2313": ("Strömsund", ["Strömsund", "Hammerdal", "Hoting", "Gäddede"]),
         "2321": ("Åre", ["Järpen", "Åre", "Duved"]),
         "2326": ("Berg", ["Svenstavik", "Hackås"]),
         "2361": ("Härjedalen", ["Sveg", "Hede", "Funäsdalen"]),
         "2380": ("Östersund", ["Östersund", "Brunflo", "Lit"])}
SUBJECTS = ["Svenska", "Svenska som andraspråk", "Engelska", "Matematik", "Samhällskunskap",
            "Historia", "Naturkunskap", "Biologi", "Kemi", "Fysik", "Religionskunskap",
            "Psykologi", "Företagsekonomi", "Entreprenörskap", "Programmering", "Webbutveckling",
            "Vård- och omsorgsarbete", "Hälsopedagogik", "Specialpedagogik", "Barns lärande"]
PACKAGES = ["Undersköterska", "Barnskötare", "Elevassistent", "Lastbilsförare", "Bussförare",
            "Kock", "Bagare och konditor", "Lokalvård", "Fastighetsskötare", "Elektriker",
            "VVS-montör", "Skogsmaskinförare", "Truckförare", "Lagerarbetare",
            "Personlig assistent"]
TYPES = [("vuxgy", 0.45), ("vuxgr", 0.15), ("komvuxcoursepackage", 0.15), ("sfi", 0.1),
         ("yh", 0.1), ("fhs", 0.05)]
QUERIES = [(["Vilka kurser i svenska 1 finns?"], "bracke"), (["Matematik 2 på distans"], None),
           (["Jag vill bli undersköterska i Hoting"], None), (["När börjar sfi?"], "ostersund"),
           (["Vilka yrkesutbildningar finns i Krokom?"], "krokom"),
           (["Engelska 6", "När börjar den?"], "are")]


# ---------------------------------------------------------------- the events


def events(count: int, seed: int = 13) -> list[dict[str, object]]:
    rng = random.Random(seed)
    kinds, weights = zip(*TYPES, strict=True)
    first = date(2027, 1, 11)
    out = []
    for n in range(count):
        code = rng.choice(list(CODES))
        name, towns = CODES[code]
        kind = rng.choices(kinds, weights)[0]
        if kind in ("vuxgy", "vuxgr"):
            title = f"{rng.choice(SUBJECTS)} {rng.randint(1, 3)}"
        elif kind == "sfi":
            title = f"Svenska för invandrare, kurs {rng.choice('ABCD')}"
        else:
            title = rng.choice(PACKAGES) + rng.choice(["", "", " (kvällstid)", " – fördjupning"])
        condition = rng.choice([1, 1, 1, 2, 3, 0])
        start = first + timedelta(days=7 * rng.randint(0, 60))
        out.append({
            "educationEventId": f"e.IST.{code}{kind.upper()}{n:06d}",
            "titleSv": title,
            "providerName": f"Komvux {name}" if kind.startswith("vux") else f"{name} utbildning",
            "typeOfSchool": kind,
            "county": "Jämtlands län",
            "municipality": name,
            "geographicalAreaCode": code,
            "town": rng.choice(towns),
            "distance": rng.random() < 0.2,
            "paceOfStudy": rng.choice(["100.0", "50.0", "25", None]),
            "semesterStartFrom": start.isoformat() if condition != 0 else None,
            "lastApplicationDate": (start - timedelta(days=30)).isoformat()
            if rng.random() < 0.6 else None,
            "executionCondition": condition,
            "credits": rng.choice(["50", "100", "150", "400", None]),
            "_links": {"self": {"href": "https://api.example.test/planned-educations/v4/"
                                        f"adult-education-events/e.IST.{code}{n:06d}"}},
        })
    return out


def serve(all_events: list[dict[str, object]]) -> tuple[str, threading.Event]:
    """The stand-in API in a thread; its base URL and an event that stops it."""
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "0"))
        size = int(request.query.get("size", "20"))
        chunk = all_events[number * size:(number + 1) * size]
        pages = -(-len(all_events) // size)
        body = {"status": "OK", "message": "", "body": {
            "_embedded": {"listedAdultEducationEvents": chunk},
            "page": {"size": size, "totalElements": len(all_events), "totalPages": pages,
                     "number": number}}}
        return web.json_response(body)

    ready = threading.Event()
    stop = threading.Event()
    where: dict[str, int] = {}

    def run() -> None:
        async def main() -> None:
            app = web.Application()
            app.router.add_get("/planned-educations/v4/adult-education-events", handler)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            where["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)
            await runner.cleanup()
        asyncio.run(main())

    threading.Thread(target=run, daemon=True).start()
    ready.wait()
    return f"http://127.0.0.1:{where['port']}/planned-educations", stop


# ---------------------------------------------------------------- children


def child_load(folder: Path, rounds: int) -> None:
    """Load + index the folder; with rounds, the p99 of the replies. Prints JSON."""
    from navguide.knowledge import load_knowledge
    from navguide.matcher import Matcher

    rss = _rss()
    started, cpu = time.perf_counter(), time.process_time()
    knowledge, _ = load_knowledge(folder)
    load_s = time.perf_counter() - started
    matcher = Matcher(knowledge)
    index_s = time.perf_counter() - started - load_s
    result: dict[str, object] = {"load_s": load_s, "index_s": index_s,
                                 "build_cpu_s": time.process_time() - cpu,
                                 "courses": len(knowledge.courses),
                                 "rss_mib": (_rss() - rss) / MiB}
    if rounds:
        asks = [(t.messages, t.municipality) for t in load_tests(STARTER_TESTS)] + QUERIES
        for messages, muni in asks:  # warm
            matcher.reply(list(messages), muni)
        samples, cpu = [], []
        for _ in range(rounds):
            for messages, muni in asks:
                t, c = time.perf_counter_ns(), time.thread_time_ns()
                matcher.reply(list(messages), muni)
                samples.append(time.perf_counter_ns() - t)
                cpu.append(time.thread_time_ns() - c)
        samples.sort()
        cpu.sort()
        result |= {"n": len(samples), "p50_ms": _at(samples, 0.5), "p99_ms": _at(samples, 0.99),
                   "mean_ms": statistics.fmean(samples) / 1e6, "cpu_p99_ms": _at(cpu, 0.99)}
    print(json.dumps(result))


def _at(ordered: list[int], q: float) -> float:
    """Nearest rank, in ms: a time really measured."""
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] / 1e6


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def run_child(*argv: str) -> tuple[str, float, float, float]:
    """Run a child; its stdout, wall seconds, CPU seconds and peak RSS (MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"child failed: {done.stderr.strip()}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # ru_maxrss of all children is a maximum: only a new peak shows; sizes run smallest first.
    return done.stdout, wall, cpu, max(after.ru_maxrss, before.ru_maxrss) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--p99-sizes", type=int, nargs="*", default=[5000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_load(Path(args.child), args.rounds)
        return

    load = os.getloadavg()[0]
    rows = []
    out, *_ = run_child(__file__, "--child", str(STARTER), "--rounds", str(args.rounds))
    rows.append(("starter (baseline)", None, json.loads(out)))
    for size in sorted(args.sizes):
        folder = OUT / f"skolverket-{size}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(STARTER, folder)
        base_url, stop = serve(events(size))
        target = folder / "courses" / "skolverket.yaml"
        printed, wall, cpu, peak = run_child(
            "-m", "navguide", "import", "skolverket", "--county", "23", "--out", str(target),
            "--knowledge", str(folder), "--base-url", base_url, "--delay", "0")
        stop.set()
        rounds = args.rounds if size in args.p99_sizes else 0
        out, *_ = run_child(__file__, "--child", str(folder), "--rounds", str(rounds))
        imported = {"wall_s": wall, "cpu_s": cpu, "peak_mib": peak, "said": printed.strip(),
                    "file_mib": target.stat().st_size / MiB}
        rows.append((f"{size:,} events", imported, json.loads(out)))

    print(f"load average before: {load:.1f} (a shared machine: compare quiet runs)")
    print(f"{'knowledge':<20} {'import s':>9} {'CPU s':>6} {'import MiB':>11} {'file MiB':>9} "
          f"{'courses':>8} {'load s':>7} {'index s':>8} {'CPU s':>6} {'RSS Δ MiB':>10} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'CPU p99':>8}")
    for label, imported, loaded in rows:
        imp = (f"{imported['wall_s']:>9.1f} {imported['cpu_s']:>6.1f} "
               f"{imported['peak_mib']:>11.0f} {imported['file_mib']:>9.1f}"
               if imported else f"{'-':>9} {'-':>6} {'-':>11} {'-':>9}")
        p = (f"{loaded['p50_ms']:>7.2f} {loaded['p99_ms']:>7.2f} {loaded['cpu_p99_ms']:>8.2f}"
             if "p99_ms" in loaded else f"{'-':>7} {'-':>7} {'-':>8}")
        print(f"{label:<20} {imp} {loaded['courses']:>8} {loaded['load_s']:>7.2f} "
              f"{loaded['index_s']:>8.2f} {loaded['build_cpu_s']:>6.1f} "
              f"{loaded['rss_mib']:>10.0f} {p}")
    for label, imported, _ in rows:
        if imported:
            print(f"{label}: {imported['said']}")
    print("import: wall time, CPU time and peak RSS of a fresh `navguide import skolverket` "
          "process (fetch 100 a page from 127.0.0.1 with no pause, map, check by loading, "
          "write); load / index: load_knowledge and Matcher() of the folder in a fresh "
          "process, the CPU time of both, RSS growth across both; p50/p99 per reply (wall) "
          f"over the starter tests and course searches, {args.rounds} rounds; CPU p99: the "
          "same replies' thread CPU time, which other processes' load does not inflate")


if __name__ == "__main__":
    main()
