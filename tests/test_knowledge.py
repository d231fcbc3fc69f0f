"""Loading and checking knowledge: what a counsellor sees from `navguide check`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support import BENCH, KNOWLEDGE, TESTS, needs_bench

from navguide.cli import main
from navguide.knowledge import errors, load_knowledge
from navguide.knowledge.yamlfile import MAX_FILE_BYTES

BROKEN = TESTS / "data" / "broken"


def messages(folder: Path) -> list[str]:
    _, problems = load_knowledge(folder, today=date(2026, 11, 26))
    return [str(p) for p in problems]


def test_test_knowledge_loads_clean() -> None:
    knowledge, problems = load_knowledge(KNOWLEDGE, today=date(2026, 11, 26))
    assert problems == []
    assert knowledge.counts() == {"topics": 4, "courses": 6, "centres": 2, "municipalities": 2}
    assert knowledge.entry("larcentrum-krokom").phone == "0000-00 00 01"


@pytest.mark.parametrize(
    "expected",
    [
        "bad.yaml:2:9: bad id 'Bad_Id'",
        "bad.yaml:6:5: unknown field `quesitons` in topics",
        "bad.yaml:7:5: unknown municipality 'nowhere'",
        "bad.yaml:7:5: unknown id 'finns-inte' in `related`",
        "bad.yaml:9:16: `questions` must be a list",
        "bad.yaml:17:15: unknown category 'gymnasium'",
        "bad.yaml:18:10: `url` is not a URL",
        "bad.yaml:19:12: `start` must be a date (YYYY-MM-DD) or `rolling`",
        "bad.yaml:20:15: `distance` must be true or false",
        "bad.yaml:21:5: duplicate id 'ok-topic' (first defined at ",
        "bad.yaml:26:1: unknown top-level key `recipes`",
        "syntax.yaml:3:12: YAML syntax: this `[` is never closed with `]`",
    ],
)
def test_every_error_is_reported_with_file_line_and_column(expected: str) -> None:
    found = messages(BROKEN)
    assert any(expected in m for m in found), "\n".join(found)


def test_broken_entries_are_never_served() -> None:
    knowledge, problems = load_knowledge(BROKEN)
    assert errors(problems)
    assert knowledge.entry("ok-topic") is None or knowledge.entry("ok-topic").kind == "course"
    assert knowledge.entry("c1") is None


def test_a_bracketed_host_that_is_no_address_is_a_bad_url(tmp_path: Path) -> None:
    write(tmp_path, "topics.yaml", (
        "topics:\n  - id: t\n    title: T\n    questions: [Q?]\n    answer: A\n"
        "    links:\n      - title: L\n        url: https:// [not-an-address]\n"))
    _, problems = load_knowledge(tmp_path)
    assert any("`url` is not a URL" in str(p) for p in problems), problems


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_required_field_and_bad_date(tmp_path: Path) -> None:
    write(tmp_path, "c.yaml", "courses:\n  - id: c\n    title: T\n    provider: P\n"
          "    category: komvux\n    apply_by: 2026-02-30\n")
    found = messages(tmp_path)
    assert any("course 'c' is missing required field `url`" in m for m in found)
    assert any(":6:15: `apply_by` is not a date" in m for m in found), found


def test_python_tags_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "evil.yaml", "topics: !!python/object/apply:os.system ['echo hi']\n")
    found = messages(tmp_path)
    assert len(found) == 1 and "evil.yaml:1:9:" in found[0]


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, "
                     f"*{prev}, *{prev}, *{prev}, *{prev}]")
    write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    found = messages(tmp_path)
    assert len(found) == 1 and "too many aliases" in found[0]


def test_huge_file_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "big.yaml", "# " + "x" * MAX_FILE_BYTES + "\n")
    found = messages(tmp_path)
    assert len(found) == 1 and "the limit is" in found[0]


def test_warnings_for_review(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", """topics:
  - id: old
    title: Gammal
    questions: [Fråga?]
    answer: Svar.
    reviewed: 2024-01-01
    verified: false
courses:
  - id: late
    title: Kurs
    provider: P
    category: komvux
    url: https://example.se/
    apply_by: 2026-01-01
""")
    knowledge, problems = load_knowledge(tmp_path, today=date(2026, 11, 26))
    assert not errors(problems)
    text = "\n".join(str(p) for p in problems)
    assert "warning: 'old': reviewed 2024-01-01, more than a year ago" in text
    assert "warning: 'old': not yet verified by a counsellor" in text
    assert "warning: topic 'old' has no `en:` text" in text
    assert "warning: 'late': apply_by 2026-01-01 is in the past" in text
    assert knowledge.entry("old") is not None  # warnings never stop an entry


def test_files_at_any_depth_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b" / "deep", "x.yml", "municipalities:\n  - id: m\n    name: M\n")
    write(tmp_path / "a", "y.yaml", "municipalities:\n  - id: m\n    name: M2\n")
    found = messages(tmp_path)
    assert len(found) == 1 and "b/deep/x.yml:2:5: duplicate id 'm'" in found[0]
    assert "a/y.yaml:2:5" in found[0]


@needs_bench
def test_benchmark_knowledge_loads_without_errors() -> None:
    knowledge, problems = load_knowledge(BENCH / "knowledge")
    assert not errors(problems)
    assert knowledge.counts()["courses"] > 100


def test_check_command_exit_codes_and_summary(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The test knowledge's dates are checked against a fixed day, so that its
    # courses starting (and application dates passing) never turn this red.
    class Fixed(date):
        @classmethod
        def today(cls) -> date:
            return date(2026, 11, 26)

    monkeypatch.setattr("navguide.knowledge.loader.date", Fixed)
    assert main(["check", str(KNOWLEDGE)]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == (
        "OK: 4 topics, 6 courses, 2 centres, 2 municipalities; 0 error(s), 0 warning(s)"
    )
    assert main(["check", str(BROKEN)]) == 1
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1].startswith("FAILED: ")
    assert "bad.yaml:2:9: bad id" in out


def test_check_on_a_missing_folder_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/no/such/folder"]) == 1
    assert capsys.readouterr().err.startswith("Error: /no/such/folder is not a folder; ")


def test_loading_keeps_no_yaml_nodes_alive() -> None:
    """Every reload builds fresh nodes; none may stay cached (the whole knowledge, each time)."""
    from navguide.knowledge import yamlfile

    load_knowledge(KNOWLEDGE)
    load_knowledge(KNOWLEDGE)
    assert yamlfile._constructor().constructed_objects == {}


def test_an_unclosed_quote_is_one_error_where_it_was_opened(tmp_path: Path) -> None:
    """One typo gives one error, at the quote, with what follows from it folded in."""
    write(tmp_path, "a.yaml", "topics:\n  - id: alfa\n    title: \"Alfa\n    questions: [A?]\n"
          "    answer: A.\n  - id: beta\n    title: Beta\n    questions: [B?]\n"
          "    answer: B.\n")
    write(tmp_path, "b.yaml", "topics:\n  - id: gamma\n    title: Gamma\n    questions: [G?]\n"
          "    answer: G.\n    related: [alfa, beta, saknas]\n")
    _, problems = load_knowledge(tmp_path, today=date(2026, 11, 26))
    found = [str(p).removeprefix(f"{tmp_path}/") for p in errors(problems)]
    assert found[0].startswith("a.yaml:3:12: YAML syntax: this quote is never closed")
    assert found[0].endswith("(and 2 references elsewhere to the ids in this file)")
    # a reference to an id defined nowhere is still its own error, after the root cause
    assert found[1:] == ["b.yaml:2:5: unknown id 'saknas' in `related`"]


def test_an_unclosed_bracket_is_reported_where_it_was_opened(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "topics:\n  - id: a\n    title: T\n    questions: [Fråga?\n"
          "    answer: Svar.\n")
    assert messages(tmp_path)[0].removeprefix(f"{tmp_path}/").startswith(
        "a.yaml:4:16: YAML syntax: this `[` is never closed with `]`")


def test_a_misspelt_required_field_is_one_error_with_a_suggestion(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "topics:\n  - id: a\n    title: T\n    quesitons: [Fråga?]\n"
          "    answer: Svar.\n")
    assert [m.removeprefix(f"{tmp_path}/") for m in messages(tmp_path)] == [
        "a.yaml:4:5: unknown field `quesitons` in topics: did you mean `questions`?",
        "a.yaml:2:5: warning: topic 'a' has no `en:` text"]


def test_check_sums_up_unverified_entries_and_lists_them_when_verbose(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b", "c"):
        write(tmp_path, f"{name}.yaml", f"topics:\n  - id: {name}\n    title: T\n"
              f"    questions: [Fråga {name}?]\n    answer: Svar.\n    verified: false\n"
              "    en: {title: T, questions: [Q?], answer: A.}\n")
    assert main(["check", "--knowledge", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("warning: 3 entries are not yet verified by a counsellor "
                      "(`navguide check --verbose` lists them)")
    assert len(out) == 2 and out[1].startswith("OK: ")
    assert main(["check", "--verbose", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("not yet verified by a counsellor") == 3
