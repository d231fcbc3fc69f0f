"""The `navguide` command: serve, check, ask, test, report, schema, import.

Errors come out as one `Error: ...` line and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .catalogue import LANGS
from .counsellor.knowledge_tests import TestFileError, load_tests, run_tests
from .holder import KnowledgeRejected, Loaded, build, fitted
from .knowledge import KnowledgeDirError, errors, load_knowledge, unverified
from .markdown import to_text
from .matcher.prepare import preparation_for
from .render import reply_payload
from .settings import SETTINGS, Settings, SettingsError


class CliError(Exception):
    """Shown to the user as one line."""


def _default(name: str) -> object:
    return next(s.default for s in SETTINGS if s.name == name)


def _knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", "-k", metavar="DIR", default=None,
                        help=f"knowledge folder (default: {_default('knowledge')})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="navguide", description="Guidance chatbot for adult learners.")
    parser.add_argument("--version", action="version", version=f"navguide {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web server")
    _knowledge_option(serve)
    serve.add_argument("--host", default=None,
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", "-p", type=int, default=None, help="port (default 8080)")
    serve.add_argument("--config", "-c", metavar="FILE", help="TOML file of settings")
    serve.add_argument("--no-watch", action="store_true",
                       help="do not reload the knowledge when its files change")
    serve.add_argument("--workers", "-w", type=int, default=None, metavar="N",
                       help="server processes sharing the port (default 1)")

    check = commands.add_parser("check", help="check a knowledge folder")
    check.add_argument("dir", nargs="?", default=None, metavar="DIR",
                       help=f"knowledge folder (default: {_default('knowledge')})")
    _knowledge_option(check)
    check.add_argument("--verbose", "-v", action="store_true",
                       help="also list each entry not yet verified, and counsellors' notes")

    ask = commands.add_parser("ask", help="answer a message from the command line")
    _knowledge_option(ask)
    ask.add_argument("--municipality", "-m", metavar="ID", help="the widget's municipality")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    ask.add_argument("--jsonl", action="store_true",
                     help='read {"messages": [...], "municipality": ...} lines on stdin')
    ask.add_argument("message", nargs="*", help="the conversation; the last one is answered")

    test = commands.add_parser("test", help="run knowledge tests")
    test.add_argument("file", help="YAML file of knowledge tests")
    _knowledge_option(test)
    test.add_argument("--min", type=float, default=None, metavar="ACCURACY",
                      help="exit 1 when accuracy is below this (0-1)")

    report = commands.add_parser(
        "report", help="what learners asked that navguide could not answer well")
    report.add_argument("--since", default="30d", metavar="AGE",
                        help="how far back: e.g. 12h, 7d, 4w (default 30d)")
    report.add_argument("--municipality", "-m", metavar="ID", help="one municipality only")
    report.add_argument("--csv", action="store_true", help="print CSV for a spreadsheet")
    report.add_argument("--lang", choices=LANGS, default="sv",
                        help="the report's language (default sv, as /admin)")
    report.add_argument("--config", "-c", metavar="FILE", help="TOML file of settings")
    report.add_argument("--database", metavar="URL",
                        help=f"the records (default: {_default('database_url')})")

    commands.add_parser("schema", help="print the JSON Schema of the knowledge format")

    init = commands.add_parser("init", help="write the starter knowledge into a new folder")
    init.add_argument("dir", metavar="DIR", help="the folder to make, e.g. knowledge")
    _import_parser(commands)
    return parser


def _import_parser(commands) -> None:  # type: ignore[no-untyped-def]
    from .importers.skolverket import DEFAULT_BASE_URL, FetchOptions

    defaults = FetchOptions()
    imports = commands.add_parser("import", help="import courses from open data")
    sources = imports.add_subparsers(dest="source", metavar="SOURCE", required=True)
    sk = sources.add_parser(
        "skolverket", help="adult-education events from Skolverket's Planned Educations API",
        description="Fetch every adult-education event of a county or of municipalities "
                    "and write them as one knowledge file of courses. On any failure the "
                    "previous file is kept.")
    where = sk.add_mutually_exclusive_group(required=True)
    where.add_argument("--county", metavar="CODE", help="a county code, e.g. 23 (Jämtland)")
    where.add_argument("--municipality", metavar="CODE", nargs="+", action="extend",
                       help="one or more municipality codes, e.g. 2305 2380")
    sk.add_argument("--type", metavar="TYPES", default="",
                    help="typeOfSchool values, comma-separated: sfi,vuxgy,vuxgr,"
                         "komvuxcoursepackage,yh,fhs (default: all)")
    sk.add_argument("--base-url", metavar="URL", default=DEFAULT_BASE_URL,
                    help=f"the API (default {DEFAULT_BASE_URL})")
    sk.add_argument("--out", metavar="FILE", required=True,
                    help="the file to write, e.g. knowledge/courses/skolverket.yaml")
    _knowledge_option(sk)
    sk.add_argument("--delay", type=float, default=defaults.delay, metavar="SECONDS",
                    help=f"pause between requests (default {defaults.delay:g})")
    sk.add_argument("--timeout", type=float, default=defaults.timeout, metavar="SECONDS",
                    help=f"per request (default {defaults.timeout:g})")
    sk.add_argument("--retries", type=int, default=defaults.retries, metavar="N",
                    help=f"tries more per page when the service is busy or down "
                         f"(default {defaults.retries})")
    sk.add_argument("--backoff", type=float, default=defaults.backoff, metavar="SECONDS",
                    help=f"pause before the first retry, doubled for each next "
                         f"(default {defaults.backoff:g})")


INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a user's situation is one `Error:` line, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except (CliError, SettingsError, TestFileError) as exc:
        return _error(str(exc))
    except KnowledgeDirError as exc:
        return _error(f"{exc}; make one with `navguide init DIR` "
                      "or name yours with --knowledge DIR")
    except KnowledgeRejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _error(f"the knowledge has {len(exc.problems)} error(s); "
                      "run `navguide check` for details")
    except BrokenPipeError:
        # The reader went away (`navguide ask ... | head`): stop quietly, as other tools do.
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        print("Error: stopped (Ctrl-C)", file=sys.stderr)
        return INTERRUPTED
    except OSError as exc:  # a folder or file the user named that cannot be read or written
        where = f": {exc.filename}" if exc.filename else ""
        return _error(f"{exc.strerror or exc}{where}")


def _error(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (a test's capture)
        pass


def _knowledge_dir(args: argparse.Namespace) -> str:
    return args.knowledge or str(_default("knowledge"))


def _prepared(args: argparse.Namespace) -> Loaded:
    """The knowledge with its matcher fitted (and semantic signal), as the server's."""
    prep = preparation_for(Settings.load())
    return fitted(build(_knowledge_dir(args), prep), prep)


def cmd_check(args: argparse.Namespace) -> int:
    if args.dir and args.knowledge and args.dir != args.knowledge:
        raise CliError("give the knowledge folder once: as DIR or as --knowledge")
    knowledge, problems = load_knowledge(args.dir or _knowledge_dir(args))
    not_verified = unverified(problems)
    for problem in problems:
        if args.verbose or problem.kind != "unverified":
            print(problem)
    if not_verified and not args.verbose:
        print(f"warning: {len(not_verified)} entries are not yet verified by a counsellor "
              "(`navguide check --verbose` lists them)")
    if args.verbose:
        for entry in knowledge.with_notes():
            print(f"{entry.location}: note: {entry.id!r}: {entry.note.strip()}")
    found = errors(problems)
    warnings = len(problems) - len(found)
    counts = ", ".join(f"{n} {what}" for what, n in knowledge.counts().items())
    status = "FAILED" if found else "OK"
    print(f"{status}: {counts}; {len(found)} error(s), {warnings} warning(s)")
    return 1 if found else 0


def cmd_ask(args: argparse.Namespace) -> int:
    loaded = _prepared(args)
    if args.jsonl:
        return _ask_jsonl(loaded)
    if not args.message:
        raise CliError("give a message, e.g. navguide ask \"Hur söker jag till komvux?\"")
    if args.municipality and loaded.knowledge.municipality(args.municipality) is None:
        raise CliError(f"unknown municipality {args.municipality!r}")
    reply = loaded.matcher.reply(list(args.message), args.municipality)
    payload = reply_payload(reply, loaded.knowledge)
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(to_text(str(payload["text"])))
        print(_suggestion_lines(payload), end="")
    return 0


def _suggestion_lines(payload: dict) -> str:
    """The buttons a reply offers, as the widget would show them."""
    offered = payload.get("suggestions") or []
    if not offered:
        return ""
    from .catalogue import say

    lines = ["", f"{say(str(payload['lang']), 'ui_suggestions')}:"]
    for item in offered:
        line = f"  - {item['label']}"
        if item["message"] != item["label"]:
            line += f"  ({item['message']})"
        if "municipality" in item:
            line += f"  [--municipality {item['municipality']}]"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _ask_jsonl(loaded) -> int:  # type: ignore[no-untyped-def]
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            messages = request["messages"]
            if isinstance(messages, str):
                messages = [messages]
            if not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
                raise TypeError("`messages` must be a list of strings")
            municipality = request.get("municipality")
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            print(json.dumps({"error": f"line {number}: {exc}"}), flush=True)
            continue
        reply = loaded.matcher.reply(messages, municipality)
        payload = reply_payload(reply, loaded.knowledge)
        out = {key: payload[key] for key in ("ids", "handoff", "lang", "text", "kind")}
        out["score"] = reply.score
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    loaded = _prepared(args)
    tests = load_tests(args.file)
    result = run_tests(loaded.matcher, tests)
    print(result.report(Path(args.file).name))
    print(loaded.matcher.model.describe())
    if args.min is not None and result.accuracy < args.min:
        print(f"FAILED: accuracy {result.accuracy:.3f} is below --min {args.min}")
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .counsellor.report import build_report, parse_since, report_csv, report_text
    from .records import StoreError, open_store
    from .records.store import hours_ago

    settings = Settings.load(args.config, database_url=args.database)
    try:
        since = hours_ago(parse_since(args.since))
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    store = open_store(settings.database_url)
    if not store.exists():
        raise CliError(f"no records yet: {store.describe()} does not exist")
    try:
        rows = store.rows(since, args.municipality)
    except StoreError as exc:
        raise CliError(f"cannot read the records: {exc}") from exc
    report = build_report(rows, since, args.municipality, _report_knowledge(settings))
    sys.stdout.write(report_csv(report) if args.csv else report_text(report, args.lang))
    return 0


def _report_knowledge(settings: Settings):  # type: ignore[no-untyped-def]
    """The served knowledge, so the report knows which questions entries hold;
    None when it cannot be read (the report works from the records alone)."""
    from .knowledge.loader import KnowledgeDirError, load_knowledge

    try:
        return load_knowledge(settings.knowledge)[0]
    except KnowledgeDirError:
        return None


def cmd_schema(args: argparse.Namespace) -> int:
    from .knowledge.schema import knowledge_schema

    print(json.dumps(knowledge_schema(), ensure_ascii=False, indent=2))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .importers.run import ImportFailed, run_import
    from .importers.skolverket import FetchOptions

    areas = (args.county,) if args.county else tuple(args.municipality)
    for area in areas:
        if not area.isdigit():
            raise CliError(f"not an area code: {area!r} (a county is 2 digits, "
                           "a municipality 4)")
    if min(args.delay, args.timeout, args.retries, args.backoff) < 0 or not args.timeout:
        raise CliError("--delay, --timeout, --retries and --backoff cannot be negative")
    options = FetchOptions(
        base_url=args.base_url, areas=areas,
        types=tuple(t.strip() for t in args.type.split(",") if t.strip()),
        timeout=args.timeout, retries=args.retries, delay=args.delay, backoff=args.backoff,
    )
    out = Path(args.out)
    try:
        done = run_import(options, out, Path(_knowledge_dir(args)))
    except ImportFailed as exc:
        raise CliError(str(exc)) from exc
    notes = []
    if done.skipped:
        notes.append(f"{done.skipped} event(s) without id, title or provider skipped")
    if done.outside:
        notes.append(f"{done.outside} on site outside the knowledge's municipalities left out")
    print(f"Imported {done.courses} course(s) from {done.events} event(s) "
          f"({done.pages} page(s)) into {out}" + (f"; {'; '.join(notes)}" if notes else ""))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .knowledge.starter import write_starter

    target = Path(args.dir)
    try:
        written = write_starter(target)
    except FileExistsError as exc:
        raise CliError(f"{exc}; give a new folder") from exc
    entries = sum(1 for p in written if p.suffix == ".yaml")
    print(f"Wrote the starter knowledge to {target}/ ({entries} files, README.md, "
          f"the editor schema). Next: navguide check --knowledge {target}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from .server.accesslog import PrivateAccessLogger  # no IP, user agent or query in the log
    from .server.app import create_app

    settings = Settings.load(
        args.config,
        knowledge=args.knowledge,
        host=args.host,
        port=args.port,
        watch=False if args.no_watch else None,
        workers=args.workers,
    )
    process = " [%(process)d]" if settings.workers > 1 else ""
    logging.basicConfig(level=logging.INFO,
                        format=f"%(asctime)s %(levelname)s{process} %(name)s: %(message)s")
    if settings.workers > 1:
        from .server.workers import supervise

        return supervise(settings, create_app, access_log_class=PrivateAccessLogger)
    app = create_app(settings)
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=_print_url(settings),
                    access_log_class=PrivateAccessLogger)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        reason = str(exc.strerror or exc).rsplit(": ", 1)[-1]
        raise CliError(f"cannot listen on {settings.host}:{settings.port}: "
                       f"{reason}; is navguide already running? "
                       "Choose another port with --port") from exc
    return 0


def _print_url(settings: Settings):  # type: ignore[no-untyped-def]
    def show(_: str) -> None:
        print(f"navguide serving on http://{settings.host}:{settings.port}/ (Ctrl-C to stop)")
    return show


COMMANDS = {"serve": cmd_serve, "check": cmd_check, "ask": cmd_ask, "test": cmd_test,
            "report": cmd_report, "schema": cmd_schema, "import": cmd_import,
            "init": cmd_init}
