"""What is recorded of each answered message: nothing that identifies the learner."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from contextlib import closing

import pytest
from counsellor_support import EXPECTED_COLUMNS, settings_for, wait_for

from navguide.records import StoreError, open_store, recorder_key, scrub, store_key
from navguide.records.store import Asked, Feedback, SqliteStore, hours_ago
from navguide.server.app import create_app
from navguide.settings import SettingsError


@pytest.mark.parametrize(("text", "expected"), [
    ("Mitt personnummer är 19900101-1234", "Mitt personnummer är [personnummer]"),
    ("pnr 900101-1234, hjälp", "pnr [personnummer], hjälp"),
    ("född 199001011234", "född [personnummer]"),
    ("ring mig på 070-123 45 67", "ring mig på [telefon]"),
    ("ring +46 70 123 45 67 tack", "ring [telefon] tack"),
    ("nr 0701234567", "nr [telefon]"),
    ("mejla anna.svensson@example.se eller a@b.com", "mejla [e-post] eller [e-post]"),
    ("jag bor på Storgatan 12 i Krokom", "jag bor på [adress] i Krokom"),
    ("adress: Kyrkvägen 3B", "adress: [adress]"),
    ("I live at 12 Main Street", "I live at [adress]"),
    ("ärendenummer 123456789", "ärendenummer [nummer]"),
    ("jag heter Anna Svensson och vill plugga", "jag heter [namn] och vill plugga"),
    ("Jag heter anna och undrar", "Jag heter [namn] och undrar"),
    ("Hi, my name is John. Can I study?", "Hi, my name is [namn]. Can I study?"),
    ("Kan jag läsa svenska? Hälsningar Anna", "Kan jag läsa svenska? Hälsningar [namn]"),
    ("Tack för hjälpen!\nMvh Anna Svensson", "Tack för hjälpen!\nMvh [namn]"),
    ("hur söker jag? mvh anna", "hur söker jag? mvh [namn]"),
    ("Regards, John Smith", "Regards, [namn]"),
    ("Jag är Anna Svensson och vill läsa SFI", "Jag är [namn] och vill läsa SFI"),
    ("I'm Anna Svensson, can I study?", "I'm [namn], can I study?"),
    ("Kan min son Erik börja på komvux?", "Kan min son [namn] börja på komvux?"),
    ("my daughter Sara wants to study", "my daughter [namn] wants to study"),
    ("skriv till anna(at)example.se", "skriv till [e-post]"),
    ("anna [at] example [dot] se", "[e-post]"),
    ("betala till SE45 5000 0000 0583 9825 7466 tack", "betala till [konto] tack"),
    ("IBAN SE4550000000058398257466", "IBAN [konto]"),
    ("jag bor i lgh 1102", "jag bor i [adress]"),
    ("Storgatan 3, lägenhet nr 1203", "[adress], [adress]"),
])
def test_scrub_takes_out_personal_details(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", [
    "Hur söker jag till komvux?",
    "Kan jag börja hösten 2027?",
    "Kan jag läsa på 50 procent?",
    "Var finns studie- och yrkesvägledning i Krokom?",
    "Vägen till undersköterska",
    "Jag är 45 år och vill plugga",
    "jag är arbetslös, kan jag få CSN?",
    "I'm new in Sweden",
    "Tack för hjälpen!",
    "Tack, vad kostar det?",
    "Min son vill läsa på gymnasiet",
    "Vad gäller för SFI i Östersund?",
    "Can I study at Mid Sweden University?",
])
def test_scrub_leaves_ordinary_questions_alone(text):
    assert scrub(text) == text


async def chat(client, message: str, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    response = await client.post("/api/chat", json={"message": message, **extra})
    assert response.status == 200
    return await response.json()


async def test_an_answered_message_is_recorded_scrubbed(aiohttp_client, tmp_path):
    app = create_app(settings_for(tmp_path))
    client = await aiohttp_client(app)
    reply = await chat(client, "Hej, jag heter Anna Svensson, 070-123 45 67. "
                               "Hur söker jag till komvux?", municipality="krokom", lang="sv")
    await app[recorder_key].flush()
    rows = app[store_key].rows(hours_ago(1))
    assert len(rows) == 1
    row = rows[0]
    assert row.text == "Hej, jag heter [namn], [telefon]. Hur söker jag till komvux?"
    assert row.municipality == "krokom"
    assert row.lang == "sv"
    assert list(row.ids) == reply["ids"]
    assert row.handoff is reply["handoff"]
    assert row.kind == reply["kind"]
    assert row.hour.endswith(":00")
    assert row.helpful is None

    response = await client.post("/api/feedback",
                                 json={"reply_id": reply["reply_id"], "helpful": False})
    assert response.status == 200
    await app[recorder_key].flush()
    assert app[store_key].rows(hours_ago(1))[0].helpful is False


async def test_the_page_without_javascript_is_recorded_too(aiohttp_client, tmp_path):
    app = create_app(settings_for(tmp_path))
    client = await aiohttp_client(app)
    response = await client.get("/chat", params={"q": "Hur söker jag till komvux?"})
    assert response.status == 200
    await app[recorder_key].flush()
    rows = app[store_key].rows(hours_ago(1))
    assert [row.text for row in rows] == ["Hur söker jag till komvux?"]


async def test_feedback_on_an_unknown_reply_is_not_kept(aiohttp_client, tmp_path):
    app = create_app(settings_for(tmp_path))
    client = await aiohttp_client(app)
    await chat(client, "Hur söker jag till komvux?")
    await client.post("/api/feedback", json={"reply_id": "a" * 32, "helpful": True})
    await app[recorder_key].flush()
    with closing(sqlite3.connect(tmp_path / "records.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM feedback").fetchone() == (0,)


async def test_keep_text_false_keeps_no_text(aiohttp_client, tmp_path):
    app = create_app(settings_for(tmp_path, keep_text=False))
    client = await aiohttp_client(app)
    await chat(client, "Hur söker jag till komvux? Vad blir det för väder imorgon?")
    await app[recorder_key].flush()
    with closing(sqlite3.connect(tmp_path / "records.sqlite3")) as db:
        assert db.execute("SELECT text FROM asked").fetchall() == [(None,)]
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("records.sqlite3*"))
    assert "väder".encode() not in stored and b"imorgon" not in stored


async def test_record_false_keeps_nothing(aiohttp_client, tmp_path):
    app = create_app(settings_for(tmp_path, record=False))
    client = await aiohttp_client(app)
    reply = await chat(client, "Hur söker jag till komvux?")
    await client.post("/api/feedback", json={"reply_id": reply["reply_id"], "helpful": True})
    assert recorder_key not in app
    assert not (tmp_path / "records.sqlite3").exists()


async def test_no_ip_address_user_agent_or_learner_id_is_stored(aiohttp_client, tmp_path):
    app = create_app(settings_for(tmp_path))
    client = await aiohttp_client(app)
    headers = {"User-Agent": "Mozilla/5.0 UniqueAgent/42", "X-Forwarded-For": "203.0.113.9",
               "Cookie": "session=learner-cookie-77"}
    await client.post("/api/chat", json={"message": "Hur söker jag till komvux?"},
                      headers=headers)
    await app[recorder_key].flush()
    store = app[store_key]
    assert store.columns() == EXPECTED_COLUMNS
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("records.sqlite3*"))
    for value in (b"UniqueAgent", b"203.0.113.9", b"127.0.0.1", b"learner-cookie-77"):
        assert value not in stored


def test_retention_deletes_old_records(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    store.setup()
    old, new = hours_ago(24 * 31), hours_ago(1)
    store.write([
        Asked("1" * 32, old, None, "sv", "handoff", (), 0.1, 0.1, None, True, "gammal"),
        Asked("2" * 32, new, None, "sv", "handoff", (), 0.1, 0.1, None, True, "ny"),
        Feedback("1" * 32, old, False),
    ])
    assert store.delete_before(hours_ago(24 * 30)) == 1
    assert [r.text for r in store.rows(hours_ago(24 * 365))] == ["ny"]
    with closing(sqlite3.connect(tmp_path / "r.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM feedback").fetchone() == (0,)


async def test_the_server_deletes_records_past_retention(aiohttp_client, tmp_path):
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    store = open_store(url)
    store.setup()
    store.write([Asked("1" * 32, hours_ago(24 * 8), None, "sv", "topic", ("a",),
                       0.9, 0.5, None, False, "för gammal")])
    app = create_app(settings_for(tmp_path, database_url=url, retention_days=7))
    await aiohttp_client(app)

    async def gone() -> bool:
        return not store.rows(hours_ago(24 * 365))

    await wait_for(gone, timeout=3)


async def test_chat_answers_when_the_store_is_down(aiohttp_client, tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'records.sqlite3'}"
    app = create_app(settings_for(tmp_path, database_url=url))
    client = await aiohttp_client(app)
    app[recorder_key].retry_delays = (0.01, 0.01)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            await chat(client, "Hur söker jag till komvux?")
        await app[recorder_key].flush()
    assert "record store failed" in caplog.text
    assert app[recorder_key].dropped == 3
    state = app[recorder_key].state()
    assert state["state"] == "failing"
    assert state["dropped"] == 3
    assert str(tmp_path) not in str(state)  # /api/health is public: no paths


async def test_recording_resumes_after_the_sqlite_file_is_deleted(aiohttp_client, tmp_path):
    app = create_app(settings_for(tmp_path))
    client = await aiohttp_client(app)
    await chat(client, "Hur söker jag till komvux?")
    await app[recorder_key].flush()
    store = app[store_key]
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"records.sqlite3{suffix}").unlink(missing_ok=True)
    await chat(client, "Vad kostar komvux?")
    await app[recorder_key].flush()
    assert [row.text for row in store.rows(hours_ago(1))] == ["Vad kostar komvux?"]
    assert app[recorder_key].state()["state"] == "ok"
    assert app[recorder_key].dropped == 0


async def test_a_store_that_comes_back_loses_nothing(aiohttp_client, tmp_path, monkeypatch):
    real_write = SqliteStore.write
    failures = iter([True, True])  # down for two tries, then back

    def flaky_write(self, items):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise StoreError("database is restarting")
        real_write(self, items)

    monkeypatch.setattr(SqliteStore, "write", flaky_write)
    app = create_app(settings_for(tmp_path))
    app[recorder_key].retry_delays = (0.01, 0.01, 0.01)
    client = await aiohttp_client(app)
    await chat(client, "Hur söker jag till komvux?")
    await app[recorder_key].flush()
    assert len(app[store_key].rows(hours_ago(1))) == 1
    assert app[recorder_key].dropped == 0
    assert app[recorder_key].state()["state"] == "ok"


async def test_a_full_queue_counts_every_dropped_record(tmp_path):
    from navguide.records import Recorder

    recorder = Recorder(open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}"), 30, max_queue=2)
    for n in range(5):
        recorder.add(Feedback(f"{n:032x}", "2026-01-01 00:00", True))
    assert recorder.dropped == 3
    assert recorder.state()["dropped"] == 3


async def test_records_arriving_together_are_written_in_one_transaction(
        aiohttp_client, tmp_path, monkeypatch):
    batches: list[int] = []
    real_write = SqliteStore.write

    def counted_write(self, items):  # type: ignore[no-untyped-def]
        batches.append(len(items))
        real_write(self, items)

    monkeypatch.setattr(SqliteStore, "write", counted_write)
    app = create_app(settings_for(tmp_path))
    app[recorder_key].batch_wait = 2.0  # longer than the 12 replies take, however slow
    client = await aiohttp_client(app)
    await asyncio.gather(*(chat(client, "Vad kostar komvux?") for _ in range(12)))
    await app[recorder_key].flush()
    assert len(app[store_key].rows(hours_ago(1))) == 12
    assert batches == [12]  # one connection and one commit, not twelve


async def test_chat_answers_when_the_store_is_slow(aiohttp_client, tmp_path, monkeypatch):
    release = threading.Event()  # the store hangs until the test lets it go
    writing = threading.Event()

    def hanging_write(self, items):  # type: ignore[no-untyped-def]
        writing.set()
        release.wait(10)

    monkeypatch.setattr(SqliteStore, "write", hanging_write)
    app = create_app(settings_for(tmp_path))
    client = await aiohttp_client(app)
    try:
        await chat(client, "Hur söker jag till komvux?")
        assert await asyncio.to_thread(writing.wait, 5)
        replies = await asyncio.gather(*(chat(client, "Vad kostar komvux?") for _ in range(20)))
        assert len(replies) == 20  # all answered while the store was stuck on the first write
        assert app[recorder_key].queue.qsize() == 20
    finally:
        release.set()


def test_a_bad_database_url_is_refused_at_startup(tmp_path):
    with pytest.raises(SettingsError, match="database_url must start with"):
        create_app(settings_for(tmp_path, database_url="mysql://x"))


async def test_the_access_log_holds_no_ip_user_agent_or_query(aiohttp_server, aiohttp_client,
                                                              tmp_path, caplog):
    from navguide.server.accesslog import PrivateAccessLogger

    app = create_app(settings_for(tmp_path, record=False))
    server = await aiohttp_server(app, access_log_class=PrivateAccessLogger)
    client = await aiohttp_client(server)
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        await client.get("/api/health?q=jag+heter+Anna", headers={"User-Agent": "UniqueAgent/42"})
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 1
    assert lines[0].startswith('"GET /api/health" 200 ')
    for value in ("127.0.0.1", "UniqueAgent", "Anna"):
        assert value not in lines[0]
