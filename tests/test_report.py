"""The report: handed-off questions grouped, unhelpful answers, close calls, top asked."""

from __future__ import annotations

import csv
import io

import pytest
from counsellor_support import settings_for

from navguide.cli import main
from navguide.counsellor.report import build_report, group_similar, parse_since, report_csv
from navguide.records import open_store, recorder_key
from navguide.records.store import Asked, Feedback, hours_ago
from navguide.server.app import create_app

_ids = iter(range(10**6))


def asked(text, *, ids=(), handoff=False, municipality=None, margin=0.5, runner_up=None,
          kind=None, hours=1):  # type: ignore[no-untyped-def]
    reply_id = f"{next(_ids):032x}"
    kind = kind or ("handoff" if handoff else "topic")
    return Asked(reply_id, hours_ago(hours), municipality, "sv", kind, tuple(ids), 0.7,
                 margin, runner_up, handoff, text)


RECORDS = [
    asked("Vad blir det för väder imorgon?", handoff=True, municipality="krokom"),
    asked("vad blir vädret imorgon", handoff=True, municipality="are"),
    asked("Får jag ta med min hund till skolan?", handoff=True, municipality="krokom"),
    asked("Hur söker jag till komvux?", ids=["komvux-ansokan"], municipality="krokom"),
    asked("Hur söker jag komvux", ids=["komvux-ansokan"], municipality="krokom"),
    asked("Kan jag få pengar när jag pluggar?", ids=["komvux-ansokan"], margin=0.01,
          runner_up="csn-studiemedel", municipality="are"),
    asked("Gammal fråga", handoff=True, hours=24 * 40),
]


@pytest.fixture
def store_url(tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    store = open_store(url)
    store.setup()
    store.write([*RECORDS, Feedback(RECORDS[4].reply_id, hours_ago(1), False)])
    return url


def test_similar_questions_are_grouped():
    groups = group_similar(["Vad blir det för väder imorgon?", "vad blir vädret imorgon",
                            "Får jag ta med min hund?", None, None])
    assert [(g.count, g.text) for g in groups] == [
        (2, "(text not kept)"), (2, "Vad blir det för väder imorgon?"),
        (1, "Får jag ta med min hund?")]


def test_report_parts(store_url):
    rows = open_store(store_url).rows(hours_ago(24 * 30))
    report = build_report(rows, hours_ago(24 * 30))
    assert report.total == 6 and report.handoffs == 3
    assert [(g.count, g.text) for g in report.handed_off] == [
        (2, "Vad blir det för väder imorgon?"), (1, "Får jag ta med min hund till skolan?")]
    assert [(u.entry, u.count, u.questions) for u in report.unhelpful] == [
        ("komvux-ansokan", 1, ["Hur söker jag komvux"])]
    assert [(c.question, c.shown, c.probably_meant) for c in report.close_calls] == [
        ("Kan jag få pengar när jag pluggar?", "komvux-ansokan", "csn-studiemedel")]
    assert report.most_asked == {
        "are": [("handoff", 1), ("komvux-ansokan", 1)],
        "krokom": [("handoff", 2), ("komvux-ansokan", 2)],
    }


def test_report_command(store_url, capsys):
    assert main(["report", "--database", store_url]) == 0
    out = capsys.readouterr().out
    assert "6 besvarade meddelanden, 3 lämnades vidare" in out  # Swedish, as /admin
    assert "     2  Vad blir det för väder imorgon?" in out
    assert ("Kan jag få pengar när jag pluggar?  ->  csn-studiemedel (visades: komvux-ansokan)"
            in out)
    assert "Gammal fråga" not in out  # older than --since 30d
    assert main(["report", "--database", store_url, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "6 answered message(s), 3 handed off" in out
    assert "Kan jag få pengar när jag pluggar?  ->  csn-studiemedel (shown: komvux-ansokan)" in out


def test_report_command_for_one_municipality_as_csv(store_url, capsys):
    assert main(["report", "--database", store_url, "--municipality", "are", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["municipality"] for r in rows} == {"are"}
    assert ("close_call", "komvux-ansokan", "csn-studiemedel") in {
        (r["section"], r["entry"], r["probably_meant"]) for r in rows}
    assert [r["question"] for r in rows if r["section"] == "handed_off"] == [
        "vad blir vädret imorgon"]


def test_report_csv_cannot_start_a_formula():
    report = build_report([], hours_ago(1))
    report.handed_off = group_similar(["=HYPERLINK(\"http://x\")"])
    assert "'=HYPERLINK" in report_csv(report)


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "soon"], "Error: --since must be a number with h, d or w (e.g. 30d), "
                          "not 'soon'\n"),
    (["--database", "sqlite:///{tmp}/none.sqlite3"],
     "Error: no records yet: SQLite {tmp}/none.sqlite3 does not exist\n"),
    (["--database", "mysql://x"],
     "Error: database_url must start with sqlite:/// or postgresql://, not 'mysql'\n"),
])
def test_report_command_errors(args, message, tmp_path, capsys):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["report", *args]) == 1
    assert capsys.readouterr().err == message.replace("{tmp}", str(tmp_path))


def test_parse_since():
    assert [parse_since(t) for t in ("12h", "30d", "2w")] == [12, 720, 336]


async def test_what_the_chat_records_reaches_the_report(aiohttp_client, tmp_path, capsys):
    app = create_app(settings_for(tmp_path))
    client = await aiohttp_client(app)
    for message in ("Vad blir det för väder imorgon?", "Vad blir vädret i morgon?"):
        reply = await (await client.post("/api/chat", json={"message": message})).json()
        assert reply["handoff"] is True
    await app[recorder_key].flush()
    assert main(["report", "--database", f"sqlite:///{tmp_path / 'records.sqlite3'}"]) == 0
    assert "     2  Vad blir det för väder imorgon?" in capsys.readouterr().out


def test_the_report_never_advises_adding_a_question_its_entry_holds(tmp_path):  # type: ignore[no-untyped-def]
    from support import KNOWLEDGE

    from navguide.counsellor.report import report_text
    from navguide.knowledge.loader import load_knowledge

    knowledge, _ = load_knowledge(KNOWLEDGE)
    held = knowledge.entry("csn-studiemedel").questions[0]  # type: ignore[union-attr]
    own = knowledge.entry("komvux-ansokan").questions[0]  # type: ignore[union-attr]
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    store = open_store(url)
    store.setup()
    store.write([
        asked(held, ids=["komvux-ansokan"], margin=0.01, runner_up="csn-studiemedel"),
        asked(own, ids=["komvux-ansokan"], margin=0.01, runner_up="csn-studiemedel"),
        asked("Hej!", kind="smalltalk"),
    ])
    rows = store.rows(hours_ago(24))
    report = build_report(rows, hours_ago(24), knowledge=knowledge)
    assert [(c.question, c.already) for c in report.close_calls] == [(held, True)]
    assert "already among its questions: nothing to add" in report_text(report, "en")
    assert report.handed_off == []  # small talk is no unanswered question
    assert dict(report.most_asked["(none)"])["smalltalk"] == 1


async def test_asking_for_a_person_is_counted_apart_not_as_unanswered(aiohttp_client, tmp_path,
                                                                      capsys):
    from navguide.counsellor.report import report_text

    app = create_app(settings_for(tmp_path))
    client = await aiohttp_client(app)
    person = await (await client.post("/api/chat", json={
        "message": "Jag vill prata med en människa", "municipality": "krokom"})).json()
    assert person["handoff"] is True
    page = await client.post("/chat", data={"message": "I want to talk to a real person",
                                            "lang": "en"})
    assert page.status == 200
    weather = await (await client.post("/api/chat", json={
        "message": "Vad blir det för väder imorgon?", "municipality": "krokom"})).json()
    assert weather["handoff"] is True
    await app[recorder_key].flush()
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    rows = open_store(url).rows(hours_ago(24))
    assert sorted(r.kind for r in rows) == ["handoff", "person", "person"]
    report = build_report(rows, hours_ago(24))
    assert [g.text for g in report.handed_off] == ["Vad blir det för väder imorgon?"]
    assert report.handoffs == 1 and report.total == 3
    assert report.person_requests == {"(none)": 1, "krokom": 1}
    assert report.asked_for_person == 2
    assert dict(report.most_asked["krokom"]) == {"person": 1, "handoff": 1}
    text = report_text(report, "en")
    assert "3 answered message(s), 1 handed off" in text
    assert "Asked to talk to a person (2," in text
    assert "     1  krokom" in text
    assert "människa" not in text and "real person" not in text  # no unanswered question
    assert main(["report", "--database", url, "--csv"]) == 0
    csv_rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {(r["section"], r["municipality"], r["count"]) for r in csv_rows
            if r["section"] == "asked_for_person"} == {("asked_for_person", "krokom", "1"),
                                                        ("asked_for_person", "(none)", "1")}
    assert [r["question"] for r in csv_rows if r["section"] == "handed_off"] == [
        "Vad blir det för väder imorgon?"]
