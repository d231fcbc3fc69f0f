"""The starter knowledge shipped in the package, and `navguide init`'s copy of it.

In the wheel it sits in `navguide/starter/`; in a source tree it is the
repository's `knowledge/` folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from .schema import knowledge_schema

SCHEMA_FILE = "knowledge.schema.json"

README = """# Kunskapen för navguide

Den här mappen är det navguide svarar med: ämnen (`topics/`), utbildningar
(`courses.yaml`), lärcentrum (`centres.yaml`), kommuner och orter
(`municipalities.yaml`) och synonymer (`synonyms.yaml`). Startkunskapen är
sammanställd från offentliga källor (`source:` i varje post) men inte
bekräftad av en vägledare: därför har posterna `verified: false`.

- Kontrollera mappen: `navguide check --knowledge {folder}`
- Starta tjänsten med den: `navguide serve --knowledge {folder}`
- Ändringar märks direkt medan tjänsten kör; en ändring med fel används aldrig.

Översta raden i varje fil (`# yaml-language-server: ...`) låter en editor
som VS Code med YAML-tillägget visa fel och förslag medan du skriver, från
`{schema}` i den här mappen. Hela formatet står i vägledarguiden,
docs/radgivarguide.md i navguide.
"""


def starter_root() -> Path:
    packaged = Path(__file__).parents[1] / "starter"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "knowledge"


def schema_line(relative_to_folder: Path) -> str:
    """The editor line for a file at `relative_to_folder` inside the knowledge folder."""
    up = "../" * (len(relative_to_folder.parts) - 1)
    return f"# yaml-language-server: $schema={up}{SCHEMA_FILE}\n"


def write_starter(target: Path) -> list[Path]:
    """Copy the starter knowledge into `target` (new or empty); returns the files written."""
    source = starter_root()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} already exists and is not an empty folder")
    files = sorted(p for p in source.rglob("*") if p.suffix in (".yaml", ".yml"))
    if not files:
        raise FileNotFoundError(f"no starter knowledge in {source}")
    written = []
    for path in files:
        relative = path.relative_to(source)
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        if not text.startswith("# yaml-language-server:"):
            text = schema_line(relative) + text
        out.write_text(text, encoding="utf-8")
        written.append(out)
    (target / SCHEMA_FILE).write_text(
        json.dumps(knowledge_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (target / "README.md").write_text(
        README.format(folder=target.as_posix(), schema=SCHEMA_FILE), encoding="utf-8")
    return [*written, target / SCHEMA_FILE, target / "README.md"]
