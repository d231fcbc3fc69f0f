"""`navguide schema`: the JSON Schema editors use, made from the format's field table."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from support import BENCH, STARTER, needs_bench

from navguide.cli import main
from navguide.knowledge.fields import SECTIONS
from navguide.knowledge.schema import knowledge_schema

VALIDATOR = jsonschema.Draft202012Validator(knowledge_schema())


def as_an_editor_sees_it(text: str) -> object:
    """YAML as a language server reads it: dates stay text."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def problems(text: str) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(as_an_editor_sees_it(text))]


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(knowledge_schema())


@pytest.mark.parametrize("path", sorted(STARTER.rglob("*.yaml")), ids=lambda p: p.name)
def test_the_schema_accepts_the_starter_knowledge(path: Path):
    assert problems(path.read_text(encoding="utf-8")) == []


@needs_bench
def test_the_schema_accepts_the_benchmark_knowledge():
    for path in sorted((BENCH / "knowledge").glob("*.yaml")):
        assert problems(path.read_text(encoding="utf-8")) == [], path.name


def test_the_schema_rejects_a_misspelt_field():
    found = problems("""
topics:
  - id: komvux-ansokan
    title: Ansökan till komvux
    quesitons:
      - Hur söker jag?
    answer: Du söker via kommunens webbplats.
""")
    assert any("'quesitons' was unexpected" in m for m in found)
    assert any("'questions' is a required property" in m for m in found)


@pytest.mark.parametrize(("text", "message"), [
    ("topic:\n  - id: a\n", "'topic' was unexpected"),
    ("courses:\n  - {id: A, title: t, provider: p, category: komvux, url: https://x.se}\n",
     "does not match"),
    ("courses:\n  - {id: a, title: t, provider: p, category: gymnasium, url: https://x.se}\n",
     "'gymnasium' is not one of"),
    ("courses:\n  - {id: a, title: t, provider: p, category: sfi, url: x.se, pace: 150}\n",
     "150 is greater than the maximum of 100"),
    ("topics:\n  - {id: a, title: t, questions: [q], answer: a, en: {titel: x}}\n",
     "'titel' was unexpected"),
])
def test_the_schema_flags_common_mistakes(text, message):
    assert any(message in m for m in problems(text)), problems(text)


def test_every_field_of_the_format_is_in_the_schema():
    defs = knowledge_schema()["$defs"]
    for section, fields in SECTIONS.items():
        (entry,) = [d for d in defs.values() if set(d["properties"]) == {f.name for f in fields}]
        assert entry["required"] == [f.name for f in fields if f.required], section


def test_schema_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == knowledge_schema()


async def test_the_server_gives_the_same_schema_at_schema_json(client, capsys):
    response = await client.get("/schema.json")
    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == knowledge_schema()
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == await response.json()
