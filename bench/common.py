"""Shared bits of the benchmarks: paths, the knowledge tests, the knowledge's entries.

The peers read the knowledge YAML here on their own, so that they do not
depend on (or share the mistakes of) the matcher they are compared with.
Scoring always goes through `navguide.counsellor.knowledge_tests`, so that a figure printed
here means the same as one from `navguide test`.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"  # gitignored: caches and generated knowledge
SHARED_BENCH = REPO.parent / "shared" / "bench"
DEFAULT_KNOWLEDGE = SHARED_BENCH / "knowledge"
DEFAULT_QUESTIONS = SHARED_BENCH / "questions-dev.yaml"

# Until navguide is pip-installed into the venv, take it from the source tree.
if importlib.util.find_spec("navguide") is None:
    sys.path.insert(0, str(REPO / "src"))

from navguide.counsellor.knowledge_tests import KnowledgeTest, load_tests  # noqa: E402

__all__ = [
    "DEFAULT_KNOWLEDGE",
    "DEFAULT_QUESTIONS",
    "OUT",
    "REPO",
    "Entry",
    "KnowledgeTest",
    "load_tests",
    "municipality_names",
    "read_entries",
    "read_yaml_tree",
]


@dataclass(frozen=True)
class Entry:
    """One answerable entry (topic, course or centre) and the texts a peer matches."""

    id: str
    kind: str  # "topic" | "course" | "centre"
    texts: tuple[str, ...]


def read_yaml_tree(knowledge: Path) -> dict[str, list[dict]]:
    """All lists of the knowledge folder, by top-level key, files in sorted path order."""
    merged: dict[str, list[dict]] = {}
    for path in sorted(_yaml_files(knowledge)):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for key, items in data.items():
            merged.setdefault(key, []).extend(items or [])
    return merged


def _yaml_files(folder: Path) -> Iterator[Path]:
    yield from folder.rglob("*.yaml")
    yield from folder.rglob("*.yml")


# libyaml's loader where the machine has it: generated knowledge runs to 100,000 courses.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_entries(knowledge: Path) -> list[Entry]:
    """The entries a peer can answer with, each with its texts (see bench/README.md)."""
    tree = read_yaml_tree(knowledge)
    places = {
        m["id"]: [m.get("name", ""), *_list(m.get("places"))]
        for m in tree.get("municipalities", [])
    }
    entries = [_topic(t) for t in tree.get("topics", [])]
    entries += [_course(c) for c in tree.get("courses", [])]
    entries += [
        _centre(c, places.get(c.get("municipality", ""), [])) for c in tree.get("centres", [])
    ]
    return entries


def municipality_names(knowledge: Path) -> dict[str, str]:
    """Municipality id -> name, to put a preset municipality into a peer's query."""
    return {
        m["id"]: m.get("name", m["id"]) for m in read_yaml_tree(knowledge).get("municipalities", [])
    }


def _texts(*candidates: object) -> tuple[str, ...]:
    # str(): YAML reads a bare keyword such as 1177 or 2027 as a number.
    return tuple(str(t).strip() for t in candidates if t is not None and str(t).strip())


def _join(items: object) -> str:
    return " ".join(str(i) for i in items) if isinstance(items, list) else str(items or "")


def _list(items: object) -> list:
    return items if isinstance(items, list) else [items] if items else []


def _topic(t: dict) -> Entry:
    en = t.get("en") or {}
    return Entry(
        t["id"],
        "topic",
        _texts(
            t.get("title", ""),
            *_list(t.get("questions")),
            _join(t.get("keywords")),
            en.get("title", ""),
            *_list(en.get("questions")),
        ),
    )


def _course(c: dict) -> Entry:
    title = c.get("title", "")
    return Entry(
        c["id"],
        "course",
        _texts(
            title,
            f"{title} {c.get('provider', '')}",
            c.get("description", ""),
            _join(c.get("keywords")),
        ),
    )


def _centre(c: dict, places: list[str]) -> Entry:
    # The municipality's name and places let a peer find a centre by place ("tenta i Sveg").
    return Entry(
        c["id"],
        "centre",
        _texts(
            c.get("name", ""),
            c.get("description", ""),
            _join(c.get("services")),
            _join(places),
        ),
    )
