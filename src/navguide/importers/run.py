"""`navguide import skolverket`: fetch, map, check, write; or keep the previous file."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..knowledge import errors, load_knowledge
from ..knowledge.loader import knowledge_files
from .mapping import Places, map_events
from .output import render, write_atomically
from .skolverket import FetchError, FetchOptions, fetch_events


class ImportFailed(Exception):
    """Nothing was written; the message says why, in one line."""


@dataclass
class Imported:
    courses: int
    events: int
    skipped: int
    outside: int  # events on site outside the knowledge's municipalities, left out
    pages: int
    requests: int


def run_import(
    options: FetchOptions, out: Path, knowledge_dir: Path, today: date | None = None
) -> Imported:
    today = today or date.today()
    if out.suffix not in (".yaml", ".yml"):
        raise ImportFailed(f"--out must be a .yaml file, not {out}")
    if not knowledge_dir.is_dir():
        raise ImportFailed(f"{knowledge_dir} is not a folder")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _copy_municipalities(knowledge_dir, out, folder)
        knowledge, _ = load_knowledge(folder, today)
        places = Places.of(knowledge.municipalities)
        if not places.by_code:
            raise ImportFailed(f"no municipality in {knowledge_dir} has a `code:`; add the "
                               "codes so that imported courses find their municipality")
        try:
            fetched = asyncio.run(fetch_events(options))
        except FetchError as exc:
            raise ImportFailed(f"{exc}; {out} is unchanged") from exc
        mapped = map_events(fetched.events, places, options.base_url, today)
        if not mapped.courses:
            what = (f"{len(fetched.events)} events, none usable" if fetched.events
                    else "no events")
            raise ImportFailed(f"Skolverket returned {what} for {_describe(options)}; "
                               f"{out} is unchanged")
        text = render(mapped.courses, options.base_url, today)
        done = Imported(len(mapped.courses), len(fetched.events), mapped.skipped,
                        mapped.outside, fetched.pages, fetched.requests)
        del fetched, mapped  # a county's events and courses: not needed while checking
        _check(text, folder, out, today)
    write_atomically(out, text)
    return done


def _copy_municipalities(knowledge_dir: Path, out: Path, folder: Path) -> None:
    """The knowledge's files that hold municipalities, copied into `folder`.

    Only these are needed (for the codes, and to check the new file against),
    so the catalogue being replaced, which can be tens of thousands of
    courses, is not read again.
    """
    for n, path in enumerate(knowledge_files(knowledge_dir)):
        if path.resolve() == out.resolve():
            continue
        data = path.read_bytes()
        if b"municipalities:" in data:
            (folder / f"m{n:04d}{path.suffix}").write_bytes(data)


def _check(text: str, folder: Path, out: Path, today: date) -> None:
    """The new file read back the way the server will read it: no error may be in it."""
    (folder / "catalogue.yaml").write_text(text, encoding="utf-8")
    _, problems = load_knowledge(folder, today)
    found = [p for p in errors(problems) if p.path.endswith("catalogue.yaml")]
    if found:
        raise ImportFailed(f"the new catalogue would not load ({found[0].message}); "
                           f"{out} is unchanged")


def _describe(options: FetchOptions) -> str:
    parts = [f"area {', '.join(options.areas)}" if options.areas else "all areas"]
    if options.types:
        parts.append(f"types {', '.join(options.types)}")
    return " and ".join(parts)
