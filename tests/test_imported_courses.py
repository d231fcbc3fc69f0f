"""The format's fields for imported courses, and a counsellor's own course winning over one."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from navguide.cli import main
from navguide.knowledge import errors, load_knowledge
from navguide.knowledge.schema import knowledge_schema

TODAY = date(2026, 12, 1)
PLACES = """\
municipalities:
  - id: bracke
    name: Bräcke
    code: "2305"
    places: [Bräcke, Gällö]
  - id: krokom
    name: Krokom
    code: 2309
"""
IMPORTED = """\
# navguide import: https://api.example.test, 2026-12-01
courses:
  - id: skolverket-e-1
    title: Svenska 1
    provider: Komvux Bräcke
    category: komvux
    municipality: bracke
    town: Gällö
    start: 2027-01-18
    url: https://api.example.test/e.1
    source: https://api.example.test/e.1
    imported: 2026-12-01
  - id: skolverket-e-2
    title: Svenska 1
    provider: Komvux Krokom
    category: komvux
    municipality: krokom
    start: 2026-08-17
    url: https://api.example.test/e.2
    imported: 2026-12-01
  - id: skolverket-e-3
    title: Engelska 5
    provider: Komvux Krokom
    category: komvux
    municipality: krokom
    start: rolling
    url: https://api.example.test/e.3
    imported: 2026-12-01
"""


def folder_with(tmp_path: Path, own: str = "") -> Path:
    (tmp_path / "municipalities.yaml").write_text(PLACES, encoding="utf-8")
    (tmp_path / "courses").mkdir()
    (tmp_path / "courses" / "skolverket.yaml").write_text(IMPORTED, encoding="utf-8")
    if own:
        (tmp_path / "egna.yaml").write_text(own, encoding="utf-8")
    return tmp_path


def test_the_new_fields_are_read(tmp_path: Path) -> None:
    knowledge, problems = load_knowledge(folder_with(tmp_path), TODAY)
    assert errors(problems) == []
    assert [m.code for m in knowledge.municipalities] == ["2305", "2309"]  # quoted or not
    course = knowledge.entry("skolverket-e-1")
    assert (course.town, course.imported) == ("Gällö", date(2026, 12, 1))


@pytest.mark.parametrize(("code", "message"), [
    ("23", "`code` must be four digits (a municipality code), not '23'"),
    ("Bräcke", "`code` must be four digits (a municipality code), not 'Bräcke'"),
])
def test_a_bad_code_is_an_error(tmp_path: Path, code: str, message: str) -> None:
    (tmp_path / "m.yaml").write_text(f"municipalities:\n  - {{id: a, name: A, code: {code}}}\n")
    _, problems = load_knowledge(tmp_path, TODAY)
    assert [p.message for p in problems] == [message]


def test_two_municipalities_cannot_share_a_code(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "municipalities:\n  - {id: a, name: A, code: '2305'}\n  - {id: b, name: B, code: 2305}\n")
    _, problems = load_knowledge(tmp_path, TODAY)
    assert [str(p) for p in problems] == [
        f"{tmp_path}/m.yaml:3:5: municipality 'b' has the code 2305 of 'a'"]


def test_check_warns_on_an_imported_start_that_has_passed(tmp_path: Path) -> None:
    _, problems = load_knowledge(folder_with(tmp_path), TODAY)
    warnings = [p.message for p in problems if p.severity == "warning"]
    assert warnings == ["'skolverket-e-2': imported course started 2026-08-17, in the past "
                        "(run `navguide import skolverket` again)"]


def test_a_course_of_the_counsellors_own_with_the_same_id_wins(tmp_path: Path) -> None:
    own = """\
courses:
  - id: skolverket-e-3
    title: Engelska 5 på kvällstid
    provider: Komvux Krokom
    category: komvux
    municipality: krokom
    start: 2027-01-20
    url: https://krokom.se/engelska
    description: Kvällskurs, två kvällar i veckan.
"""
    knowledge, problems = load_knowledge(folder_with(tmp_path, own), TODAY)
    assert errors(problems) == []  # the same id is no duplicate here: it is meant
    course = knowledge.entry("skolverket-e-3")
    assert course.title == "Engelska 5 på kvällstid" and course.imported is None
    assert [c.id for c in knowledge.courses].count("skolverket-e-3") == 1
    shadows = [str(p) for p in problems if "shadows" in p.message]
    assert shadows == [
        f"{tmp_path}/egna.yaml:2:5: warning: course 'skolverket-e-3' shadows the imported "
        f"course 'skolverket-e-3' ({tmp_path}/courses/skolverket.yaml:21:5): "
        "only 'skolverket-e-3' is served"]


def test_a_course_with_the_same_title_provider_and_start_wins(tmp_path: Path, capsys) -> None:
    own = """\
courses:
  - id: svenska-1-gallo
    title: svenska 1
    provider: Komvux Bräcke
    category: komvux
    municipality: bracke
    start: 2027-01-18
    url: https://bracke.se/svenska-1
    keywords: [svenska, gällö]
  - id: svenska-1-later
    title: Svenska 1
    provider: Komvux Bräcke
    category: komvux
    municipality: bracke
    start: 2027-08-16
    url: https://bracke.se/svenska-1-ht
"""
    folder = folder_with(tmp_path, own)
    knowledge, _ = load_knowledge(folder, TODAY)
    ids = {c.id for c in knowledge.courses}
    assert "skolverket-e-1" not in ids  # same title (any case), provider and start
    assert {"svenska-1-gallo", "svenska-1-later", "skolverket-e-2", "skolverket-e-3"} <= ids
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "course 'svenska-1-gallo' shadows the imported course 'skolverket-e-1'" in out
    assert "OK: 0 topics, 4 courses" in out


def test_a_same_id_between_a_counsellors_entries_is_still_an_error(tmp_path: Path) -> None:
    own = """\
topics:
  - id: skolverket-e-2
    title: Fel
    questions: [Fel?]
    answer: Fel.
"""
    _, problems = load_knowledge(folder_with(tmp_path, own), TODAY)
    assert any("duplicate id 'skolverket-e-2'" in p.message for p in errors(problems))


def test_the_schema_knows_the_new_fields() -> None:
    validator = jsonschema.Draft202012Validator(knowledge_schema())
    for text in (PLACES, IMPORTED):
        data = json.loads(json.dumps(yaml.safe_load(text), default=str))
        assert [e.message for e in validator.iter_errors(data)] == []
    bad = {"municipalities": [{"id": "a", "name": "A", "code": "23"}]}
    assert any("does not match" in e.message or "is not valid" in e.message
               for e in validator.iter_errors(bad))
