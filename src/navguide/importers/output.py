"""Writing an imported catalogue as one knowledge file, replaced whole.

The file is written beside its final place under a name the knowledge loader
does not read (no .yaml ending), flushed to disk, then renamed over the old
one: live reload sees the old file or the new one, never half of either.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import yaml

from ..knowledge.yamlfile import IMPORTED_MARK

try:  # libyaml's emitter: 50,000 courses in seconds, not minutes
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]


def render(courses: list[dict[str, object]], source: str, today: date) -> str:
    header = (
        f"{IMPORTED_MARK.decode()} {source}, {today.isoformat()}\n"
        "# Skrivs om av `navguide import skolverket` varje natt: ändra inte här.\n"
        "# Vill du rätta eller berätta mer om en utbildning? Skriv den i en egen fil\n"
        "# med samma id (eller samma titel, anordnare och start): din vinner.\n"
    )
    body = yaml.dump({"courses": courses}, Dumper=_Dumper, allow_unicode=True,
                     sort_keys=False, width=1000, default_flow_style=False)
    return header + body


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
