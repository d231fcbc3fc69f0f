"""Reading one YAML file safely, keeping line and column of every value.

Safe-loader semantics (no Python tags), a size limit, and a cap on how many
nodes a file may expand to, so that an alias bomb is refused, not followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

try:  # the C parser where libyaml is present; same semantics, several times faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 200_000
# A file `navguide import` wrote holds a whole county's catalogue (tens of
# thousands of courses) in one file, so that live reload sees it replaced whole.
IMPORTED_MARK = b"# navguide import:"
MAX_IMPORTED_BYTES = 64_000_000
MAX_IMPORTED_NODES = 4_000_000


class YamlError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


@cache
def _constructor() -> yaml.SafeLoader:
    return yaml.SafeLoader("")


def pos(node: yaml.Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def read_root(path: Path) -> tuple[yaml.Node | None, bytes]:
    """The file's root node and its bytes; raises YamlError with a position."""
    data = path.read_bytes()
    imported = data.startswith(IMPORTED_MARK)
    max_bytes = MAX_IMPORTED_BYTES if imported else MAX_FILE_BYTES
    if len(data) > max_bytes:
        raise YamlError(f"file is {len(data):,} bytes; the limit is {max_bytes:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(f"not UTF-8 text (byte {exc.start})") from exc
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML syntax: {exc}") from exc
    finally:
        loader.dispose()
    _check_size(root, MAX_IMPORTED_NODES if imported else MAX_NODES)
    return root, data


# Where the parser gives up on an unclosed quote or bracket is often far below
# it (the end of the file); the place it was opened is where to look.
_UNCLOSED = {
    "while scanning a quoted scalar": "this quote is never closed",
    "while parsing a flow sequence": "this `[` is never closed with `]`",
    "while parsing a flow mapping": "this `{` is never closed with `}`",
}


def _syntax_error(exc: yaml.MarkedYAMLError) -> YamlError:
    opened = _UNCLOSED.get(exc.context or "")
    if opened and exc.context_mark:
        mark = exc.context_mark
        found = f" (the parser stopped at line {exc.problem_mark.line + 1})" if (
            exc.problem_mark and exc.problem_mark.line != mark.line) else ""
        return YamlError(f"YAML syntax: {opened}{found}", mark.line + 1, mark.column + 1)
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return YamlError(f"YAML syntax: {exc.problem or exc.context}", line, column)


def _check_size(root: yaml.Node | None, limit: int) -> None:
    count = 0
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            raise YamlError(
                f"file expands to more than {limit:,} values (too many aliases?)",
                *_line_col(node),
            )
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def _line_col(node: yaml.Node) -> tuple[int, int]:
    p = pos(node)
    return p.line, p.column


_SAFE = yaml.SafeLoader


def scalar(node: yaml.ScalarNode) -> object:
    """A scalar's value with safe-loader typing (dates, numbers, booleans).

    Called straight, not through construct_object, which would keep every node
    it ever saw in a cache: the whole knowledge, once per reload.
    """
    construct = _SAFE.yaml_constructors.get(node.tag)
    if construct is None:
        raise YamlError(f"not allowed here: the tag {node.tag}", *_line_col(node))
    try:
        return construct(_constructor(), node)
    except yaml.constructor.ConstructorError as exc:
        raise YamlError(f"not allowed here: {exc.problem}", *_line_col(node)) from exc
    except ValueError as exc:
        # an out-of-range date such as 2026-13-01
        raise YamlError(f"bad value {node.value!r}: {exc}", *_line_col(node)) from exc
