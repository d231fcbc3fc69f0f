"""Loading a knowledge folder: every problem reported, nothing half-built."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from difflib import get_close_matches
from pathlib import Path

import yaml

from .checks import cross_check
from .fields import EN_FIELDS, SECTIONS, TOP_LEVEL
from .model import Centre, Course, Knowledge, Location, Municipality, SmallTalk, Topic
from .problems import Problem, fold_follow_ons
from .shadow import shadow
from .values import convert, fail, mapping_items, sequence, text
from .yamlfile import YamlError, pos, read_root

_BUILDERS = {"topics": Topic, "courses": Course, "centres": Centre, "smalltalk": SmallTalk}
# `id: x` lines, read from a file that does not parse, to tell which later
# errors only follow from it.
_ID_LINE = re.compile(r"^[ \t-]*id:[ \t]*[\"']?([^\s\"'#]+)", re.MULTILINE)


class KnowledgeDirError(Exception):
    """The knowledge folder itself cannot be read."""


@dataclass
class _Collected:
    sections: dict[str, list[object]] = field(
        default_factory=lambda: {name: [] for name in TOP_LEVEL}
    )
    problems: list[Problem] = field(default_factory=list)
    invalid: list[object] = field(default_factory=list)
    unreadable_ids: dict[str, str] = field(default_factory=dict)


def knowledge_files(root: Path) -> list[Path]:
    if not root.is_dir():
        raise KnowledgeDirError(f"{root} is not a folder")
    files = [p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def load_knowledge(root: str | Path, today: date | None = None) -> tuple[Knowledge, list[Problem]]:
    """All entries of the folder and all problems found in it (errors and warnings)."""
    root = Path(root)
    collected = _Collected()
    digest = hashlib.sha256()
    files = knowledge_files(root)
    for path in files:
        shown = _display(path)
        try:
            node, data = read_root(path)
        except YamlError as exc:
            collected.problems.append(
                Problem(shown, exc.line, exc.column, exc.message, kind="unreadable"))
            _guess_ids(path, shown, collected)
            continue
        except OSError as exc:
            collected.problems.append(
                Problem(shown, 1, 1, f"cannot read: {exc.strerror}", kind="unreadable"))
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + data + b"\0")
        _read_file(node, shown, collected)
    s = collected.sections
    courses, shadowed = _shadowed(collected)
    knowledge = Knowledge(
        topics=tuple(s["topics"]),  # type: ignore[arg-type]
        courses=tuple(courses),
        centres=tuple(s["centres"]),  # type: ignore[arg-type]
        municipalities=tuple(s["municipalities"]),  # type: ignore[arg-type]
        synonyms=tuple(s["synonyms"]),  # type: ignore[arg-type]
        smalltalk=tuple(s["smalltalk"]),  # type: ignore[arg-type]
        version=digest.hexdigest()[:16],
        loaded_at=datetime.now(UTC),
        files=tuple(_display(p) for p in files),
    )
    problems = collected.problems + shadowed + cross_check(
        knowledge, today or date.today(), collected.invalid,  # type: ignore[arg-type]
        collected.unreadable_ids,
    )
    return knowledge, fold_follow_ons(problems)


def _guess_ids(path: Path, shown: str, out: _Collected) -> None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for found in _ID_LINE.findall(text):
        out.unreadable_ids.setdefault(found, shown)


def _shadowed(collected: _Collected) -> tuple[list[Course], list[Problem]]:
    """The courses to serve: imported ones only where no counsellor's course stands for them.

    A shadowed imported course is dropped before the id check, so that a
    counsellor may reuse its id on purpose.
    """
    served: list[Course] = collected.sections["courses"]  # type: ignore[assignment]
    if not any(c.imported for c in served):
        return served, []
    invalid = [e for e in collected.invalid if isinstance(e, Course)]
    own = [c for c in (*served, *invalid) if not c.imported]
    imported = [c for c in served if c.imported]
    kept, notes = shadow(own, imported)
    kept_ids = {id(c) for c in kept}
    return [c for c in served if not c.imported or id(c) in kept_ids], notes


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_file(root: yaml.Node | None, path: str, out: _Collected) -> None:
    if root is None:
        return  # an empty file holds nothing, which is fine
    try:
        items = mapping_items(root, "a knowledge file")
    except YamlError as exc:
        out.problems.append(Problem(path, exc.line, exc.column, exc.message))
        return
    for key, key_node, value_node in items:
        if key not in TOP_LEVEL:
            p = pos(key_node)
            message = f"unknown top-level key `{key}`; use one of {', '.join(TOP_LEVEL)}"
            out.problems.append(Problem(path, p.line, p.column, message))
            continue
        try:
            nodes = sequence(value_node, key) if not _is_null(value_node) else []
        except YamlError as exc:
            out.problems.append(Problem(path, exc.line, exc.column, exc.message))
            continue
        for node in nodes:
            if key == "synonyms":
                try:
                    out.sections[key].append(_synonym_group(node))
                except YamlError as exc:
                    out.problems.append(Problem(path, exc.line, exc.column, exc.message))
                continue
            entry, found = _entry(key, node, path)
            out.problems += [Problem(path, e.line, e.column, e.message) for e in found]
            if entry is not None:
                # An entry with errors is checked with the rest but never served.
                (out.invalid if found else out.sections[key]).append(entry)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _synonym_group(node: yaml.Node) -> tuple[str, ...]:
    words = tuple(text(item, "synonyms") for item in sequence(node, "a synonym group"))
    if len(words) < 2:
        raise fail(node, "a synonym group needs at least two words")
    return words


def _entry(section: str, node: yaml.Node, path: str) -> tuple[object | None, list[YamlError]]:
    """The entry a node describes (None if it cannot be built) and every problem in it."""
    fields = {f.name: f for f in SECTIONS[section]}
    what = f"an entry in `{section}`"
    try:
        items = mapping_items(node, what)
    except YamlError as exc:
        return None, [exc]
    values: dict[str, object] = {}
    found: list[YamlError] = []
    present = {key for key, _, _ in items}
    misspelt: set[str] = set()  # required fields whose misspelling is reported instead
    for key, key_node, value_node in items:
        field_ = fields.get(key)
        if field_ is None:
            meant = [name for name in get_close_matches(key, list(fields), n=1, cutoff=0.75)
                     if name not in present]
            if meant:
                misspelt.add(meant[0])
                found.append(fail(key_node, f"unknown field `{key}` in {section}: "
                                            f"did you mean `{meant[0]}`?"))
            else:
                found.append(fail(key_node, f"unknown field `{key}` in {section} "
                                            f"({', '.join(fields)})"))
            continue
        try:
            values[key] = convert(field_, value_node, EN_FIELDS.get(section, ()))
        except YamlError as exc:
            found.append(exc)
    label = f" {values['id']!r}" if "id" in values else ""
    missing = [f.name for f in SECTIONS[section] if f.required and f.name not in values]
    for name in missing:
        if name not in present and name not in misspelt:
            found.append(fail(node, f"{section[:-1]}{label} is missing required field `{name}`"))
    if "id" not in values:
        return None, found
    p = pos(node)
    location = Location(path, p.line, p.column)
    if section == "municipalities":
        built: object = Municipality(
            id=values["id"],  # type: ignore[arg-type]
            name=values.get("name", ""),  # type: ignore[arg-type]
            places=values.get("places", ()),  # type: ignore[arg-type]
            location=location,
            code=values.get("code"),  # type: ignore[arg-type]
        )
    else:
        built = _BUILDERS[section](location=location, **values)  # type: ignore[arg-type]
    return built, found
