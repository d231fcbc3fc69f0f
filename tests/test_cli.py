"""The `navguide` command as a counsellor or a benchmark uses it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import KNOWLEDGE

from navguide.cli import main
from navguide.settings import SETTINGS, Settings, SettingsError


def test_ask_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "-k", str(KNOWLEDGE), "hur söker jag till komvux"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Söka till komvux")
    assert "Skolverket" not in out or "(https://" in out  # links as text (url)


def test_ask_json_and_conversation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "-k", str(KNOWLEDGE), "--json", "Jag bor i Duved",
                 "var kan jag plugga?"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["kind"] == "centre"
    assert reply["ids"][0] == "larcentrum-are"
    assert reply["municipality"] == "are"


def test_ask_unknown_municipality_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "-k", str(KNOWLEDGE), "-m", "atlantis", "hej"]) == 1
    assert capsys.readouterr().err == "Error: unknown municipality 'atlantis'\n"


def test_ask_jsonl_contract() -> None:
    lines = [
        {"messages": ["csn"]},
        {"messages": ["Var kan jag skriva min tenta?"], "municipality": "are"},
        {"messages": ["How do I apply to komvux?"]},
        {"messages": ["Vad blir det för väder imorgon?"]},
        "not json",
    ]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    done = subprocess.run(
        [sys.executable, "-m", "navguide", "ask", "--jsonl", "-k", str(KNOWLEDGE)],
        input=stdin, capture_output=True, text=True, check=True, timeout=60,
    )
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("ids", [None])[:1] for o in out[:3]] == [
        ["csn-studiemedel"], ["larcentrum-are"], ["komvux-ansokan"]
    ]
    assert [o.get("lang") for o in out[:3]] == ["sv", "sv", "en"]
    assert out[3]["handoff"] is True and out[0]["handoff"] is False
    assert all(isinstance(o["text"], str) for o in out[:4])
    assert "error" in out[4]  # a bad line is reported and the rest goes on


def write_tests(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "tests.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_test_command_reports_and_gates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_tests(tmp_path, """tests:
  - ask: hur söker jag till komvux
    expect: komvux-ansokan
    tags: [sv]
  - ask: [Jag bor i Duved, "var kan jag plugga?"]
    expect: larcentrum-are
    tags: [followup]
  - ask: Vad blir det för väder imorgon?
    expect: handoff
  - ask: csn
    expect: validering
    tags: [sv]
""")
    assert main(["test", str(path), "-k", str(KNOWLEDGE)]) == 0
    out = capsys.readouterr().out
    assert "FAIL tests.yaml:10: csn\n     expected validering; got csn-studiemedel" in out
    assert "accuracy 0.750 (3/4)" in out
    assert "  sv                     0.500  (1/2)" in out
    assert "  handoff                1.000  (1/1)" in out
    assert main(["test", str(path), "-k", str(KNOWLEDGE), "--min", "0.8"]) == 1
    assert "FAILED: accuracy 0.750 is below --min 0.8" in capsys.readouterr().out


def test_test_command_rejects_a_malformed_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_tests(tmp_path, "tests:\n  - ask: hej\n    expekt: x\n")
    assert main(["test", str(path), "-k", str(KNOWLEDGE)]) == 1
    assert capsys.readouterr().err == f"Error: {path}:2: unknown field 'expekt'\n"


def test_broken_knowledge_stops_ask_with_errors(capsys: pytest.CaptureFixture[str]) -> None:
    broken = KNOWLEDGE.parent / "broken"
    assert main(["ask", "-k", str(broken), "hej"]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:2:9: bad id" in err
    assert err.strip().splitlines()[-1].startswith("Error: the knowledge has 12 error(s)")


def test_settings_dataclass_matches_the_declared_settings() -> None:
    from dataclasses import fields

    assert [f.name for f in fields(Settings)] == [s.name for s in SETTINGS]
    assert [f.default if f.default_factory is f.default_factory.__class__ else None
            for f in fields(Settings)]  # every field has a default
    defaults = Settings()
    for setting in SETTINGS:
        assert getattr(defaults, setting.name) == setting.default, setting.name


def test_settings_from_file_environment_and_options(tmp_path: Path) -> None:
    config = tmp_path / "navguide.toml"
    config.write_text('port = 9000\nallowed_origins = ["https://krokom.se"]\n')
    settings = Settings.load(config, environ={"NAVGUIDE_PORT": "9100",
                                              "NAVGUIDE_WATCH": "false"}, host="0.0.0.0")
    assert (settings.port, settings.watch, settings.host) == (9100, False, "0.0.0.0")
    assert settings.allowed_origins == ["https://krokom.se"]
    with pytest.raises(SettingsError, match="port must be int"):
        Settings.load(environ={}, port="eighty")
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        Settings.load(environ={}, prot=1)


def test_ask_shows_small_talk_and_the_municipality_choice(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "-k", str(KNOWLEDGE), "hej"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Hej!") and "Förslag på frågor:" in out
    assert main(["ask", "-k", str(KNOWLEDGE), "Jag vill prata med en människa"]) == 0
    out = capsys.readouterr().out
    assert "  - Krokom  [--municipality krokom]" in out


def test_test_command_counts_small_talk_and_never_a_clarify_as_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from navguide.counsellor.knowledge_tests import KnowledgeTest, TestResult
    from navguide.matcher import Reply

    path = write_tests(tmp_path, """tests:
  - ask: Hej!
    expect: smalltalk
  - ask: hur söker jag till komvux
    expect: komvux-ansokan
""")
    assert main(["test", str(path), "-k", str(KNOWLEDGE)]) == 0
    out = capsys.readouterr().out
    assert "replies: 0 clarify (did you mean), 1 small talk" in out
    assert "accuracy 1.000 (2/2)" in out
    test = KnowledgeTest(("ansökan",), expect=("komvux-ansokan",))
    assert not test.is_correct(["komvux-ansokan", "sfi"], False, "clarify")
    assert test.is_useful(["sfi", "komvux-ansokan"], False, "clarify")
    assert not test.is_useful(["a", "b", "c", "komvux-ansokan"], False, "clarify")
    assert not KnowledgeTest(("hej",), expect=("smalltalk",)).is_correct([], False, "topic")
    result = TestResult(failed=[(test, Reply("clarify", "sv"))])
    assert result.count("clarify") == 1 and result.accuracy == 0.0


# -- a user's situation is one `Error:` line, never a traceback ------------------------

NAVGUIDE = [sys.executable, "-m", "navguide"]


def test_a_busy_port_is_one_error_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*NAVGUIDE, "serve", "-k", str(KNOWLEDGE), "--no-watch",
                               "--port", str(port)], capture_output=True, text=True,
                              timeout=60, cwd=tmp_path)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    # `navguide ask --jsonl | head -1`: the reader goes after one line
    lines = "".join(json.dumps({"messages": ["csn"]}) + "\n" for _ in range(2000))
    ask = subprocess.Popen([*NAVGUIDE, "ask", "-k", str(KNOWLEDGE), "--jsonl"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    assert ask.stdin and ask.stdout and ask.stderr
    ask.stdin.write(lines)
    ask.stdin.close()
    assert json.loads(ask.stdout.readline())["ids"]
    ask.stdout.close()
    assert ask.wait(timeout=60) == 0
    assert ask.stderr.read() == ""
    ask.stderr.close()


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from navguide import cli

    def interrupted(args):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "check", interrupted)
    assert main(["check"]) == 130
    assert capsys.readouterr().err == "Error: stopped (Ctrl-C)\n"


def test_an_unreadable_path_is_one_error_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    assert main(["init", str(a_file / "knowledge")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1


# -- navguide init: a municipality starts in minutes -----------------------------------

def test_init_writes_the_starter_knowledge_with_the_editor_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "knowledge"
    assert main(["init", str(target)]) == 0
    assert "navguide check --knowledge" in capsys.readouterr().out
    files = sorted(target.rglob("*.yaml"))
    assert files and (target / "topics").is_dir()
    assert (target / "topics" / "csn.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../knowledge.schema.json\n")
    assert (target / "courses.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=knowledge.schema.json\n")
    schema = json.loads((target / "knowledge.schema.json").read_text(encoding="utf-8"))
    assert "topics" in schema["properties"]
    assert "navguide check" in (target / "README.md").read_text(encoding="utf-8")
    # what it wrote is good knowledge that answers
    assert main(["check", "--knowledge", str(target)]) == 0
    assert main(["ask", "-k", str(target), "Hur söker jag till komvux?"]) == 0
    assert "komvux" in capsys.readouterr().out.lower()


def test_init_never_writes_over_a_folder(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "knowledge" / "mine.yaml").write_text("topics: []\n", encoding="utf-8")
    assert main(["init", str(tmp_path / "knowledge")]) == 1
    assert capsys.readouterr().err.endswith("is not an empty folder; give a new folder\n")
    assert (tmp_path / "knowledge" / "mine.yaml").read_text(encoding="utf-8") == "topics: []\n"


def test_serve_without_knowledge_says_how_to_make_it(tmp_path: Path) -> None:
    done = subprocess.run([*NAVGUIDE, "serve", "--no-watch"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: knowledge is not a folder; make one with `navguide init DIR` "
        "or name yours with --knowledge DIR")
