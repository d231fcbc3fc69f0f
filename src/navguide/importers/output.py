"""Writing an imported catalogue as one knowledge file, replaced whole.

The file is written beside its final place under a name the knowledge loader
does not read (no .yaml ending), flushed to disk, then renamed over the old
one: live reload sees the old file or the new one, never half of either.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import date
from pathlib import Path

from ..knowledge.yamlfile import IMPORTED_MARK

# Characters YAML will not take raw in a double-quoted scalar (outside its
# printable set, or line breaks in YAML 1.1): written as \uXXXX escapes.
_UNPRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff"
                          "\x85\ufeff]")


def render(courses: list[dict[str, object]], source: str, today: date) -> str:
    header = (
        f"{IMPORTED_MARK.decode()} {source}, {today.isoformat()}\n"
        "# Skrivs om av `navguide import skolverket` varje natt: ändra inte här.\n"
        "# Vill du rätta eller berätta mer om en utbildning? Skriv den i en egen fil\n"
        "# med samma id (eller samma titel, anordnare och start): din vinner.\n"
    )
    lines = ["courses:"]
    for course in courses:
        lead = "  - "
        for key, value in course.items():
            lines.append(f"{lead}{key}: {_scalar(value)}")
            lead = "    "
    return header + "\n".join(lines) + "\n"


def _scalar(value: object) -> str:
    """One value as YAML: text always double-quoted (JSON's escapes are YAML's), so
    no title can turn into a number, a date, a list or a comment.

    PyYAML's own dumper took 15 s of a 5,000-course import; this takes a blink.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return str(value)  # a date as YYYY-MM-DD, read back as a date
    text = json.dumps(str(value), ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        else:
            os.chmod(temp, 0o644)  # mkstemp's 0600 would hide it from the server's user
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
