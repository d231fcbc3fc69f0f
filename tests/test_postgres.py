"""The record store on PostgreSQL, for several servers sharing one store.

These run against a real server: `.ci/run` starts one and sets
NAVGUIDE_TEST_POSTGRES_URL. Without it they are skipped, saying so.
"""

from __future__ import annotations

import logging
import os

import pytest
from counsellor_support import EXPECTED_COLUMNS, copy_knowledge, settings_for

from navguide.cli import main
from navguide.records import open_store, recorder_key, store_key
from navguide.records.store import Asked, Feedback, PostgresStore, hours_ago
from navguide.server.app import create_app

URL = os.environ.get("NAVGUIDE_TEST_POSTGRES_URL", "")
needs_server = pytest.mark.skipif(
    not URL, reason="NAVGUIDE_TEST_POSTGRES_URL is not set; .ci/run starts PostgreSQL and sets it")


@pytest.fixture
def pg_url() -> str:
    """The test database, emptied of navguide's tables."""
    import psycopg

    with psycopg.connect(URL) as conn:
        conn.execute("DROP TABLE IF EXISTS asked, feedback, admin_session")
    return URL


@needs_server
def test_store_round_trip(pg_url):
    store = open_store(pg_url)
    assert isinstance(store, PostgresStore)
    store.setup()
    store.setup()  # idempotent: every server runs it at startup
    old, new = hours_ago(24 * 40), hours_ago(1)
    store.write([
        Asked("a" * 32, new, "krokom", "sv", "topic", ("komvux-ansokan", "csn"), 0.8, 0.02,
              "csn", False, "Hur söker jag?"),
        Asked("b" * 32, old, None, "en", "handoff", (), 0.1, 0.1, None, True, None),
        Feedback("a" * 32, new, False),
        Feedback("c" * 32, new, True),  # no such reply: not kept
    ])
    rows = store.rows(hours_ago(24 * 365))
    assert [(r.text, r.helpful, r.ids, r.handoff) for r in rows] == [
        (None, None, (), True),
        ("Hur söker jag?", False, ("komvux-ansokan", "csn"), False),
    ]
    assert [r.municipality for r in store.rows(hours_ago(24 * 365), "krokom")] == ["krokom"]
    assert store.delete_before(hours_ago(24 * 30)) == 1
    assert len(store.rows(hours_ago(24 * 365))) == 1
    assert store.columns() == EXPECTED_COLUMNS


@needs_server
async def test_two_servers_share_one_store(aiohttp_client, tmp_path, pg_url):
    knowledge = copy_knowledge(tmp_path)
    first = create_app(settings_for(tmp_path, knowledge, database_url=pg_url))
    second = create_app(settings_for(tmp_path, knowledge, database_url=pg_url))
    one, two = await aiohttp_client(first), await aiohttp_client(second)
    response = await one.post("/api/chat", json={
        "message": "Vad blir det för väder imorgon? Ring 070-123 45 67", "municipality": "are"})
    reply = await response.json()
    await first[recorder_key].flush()
    await two.post("/api/feedback", json={"reply_id": reply["reply_id"], "helpful": False})
    await second[recorder_key].flush()
    rows = second[store_key].rows(hours_ago(1))
    assert len(rows) == 1
    assert rows[0].text == "Vad blir det för väder imorgon? Ring [telefon]"
    assert rows[0].helpful is False
    assert rows[0].municipality == "are"


@needs_server
async def test_recording_resumes_after_the_tables_are_dropped(aiohttp_client, tmp_path,
                                                               pg_url):
    import psycopg

    app = create_app(settings_for(tmp_path, database_url=pg_url))
    app[recorder_key].retry_delays = (0.01,)
    client = await aiohttp_client(app)
    await client.post("/api/chat", json={"message": "Hur söker jag till komvux?"})
    await app[recorder_key].flush()
    with psycopg.connect(pg_url) as conn:  # as after a database is restored or recreated
        conn.execute("DROP TABLE asked, feedback, admin_session")
    await client.post("/api/chat", json={"message": "Vad kostar komvux?"})
    await app[recorder_key].flush()
    assert [row.text for row in app[store_key].rows(hours_ago(1))] == ["Vad kostar komvux?"]
    assert app[recorder_key].dropped == 0


@needs_server
async def test_admin_sessions_are_shared_through_postgres(pg_url):
    from navguide.records.sessions import Sessions

    one, two = open_store(pg_url), open_store(pg_url)
    one.setup()
    session_id = await Sessions(one, 3600).start()
    assert await Sessions(two, 3600).alive(session_id)
    await Sessions(two, 3600).end(session_id)
    assert not await Sessions(one, 3600).alive(session_id)


@needs_server
def test_report_reads_postgres(pg_url, capsys):
    store = open_store(pg_url)
    store.setup()
    store.write([Asked("d" * 32, hours_ago(2), "berg", "sv", "handoff", (), 0.1, 0.1, None,
                       True, "Får jag ta med hunden?")])
    assert main(["report", "--database", pg_url, "--since", "1d"]) == 0
    out = capsys.readouterr().out
    assert "Får jag ta med hunden?" in out
    assert "1 besvarade meddelanden, 1 lämnades vidare" in out


async def test_chat_answers_when_postgres_is_down(aiohttp_client, tmp_path, caplog):
    url = "postgresql://navguide:secret@127.0.0.1:1/nowhere"  # nothing listens on port 1
    app = create_app(settings_for(tmp_path, database_url=url))
    client = await aiohttp_client(app)
    app[recorder_key].retry_delays = (0.01,)
    with caplog.at_level(logging.WARNING):
        response = await client.post("/api/chat", json={"message": "Hur söker jag till komvux?"})
        assert response.status == 200
        await app[recorder_key].flush()
    assert "record store failed" in caplog.text
    assert "secret" not in caplog.text  # the password never reaches the log
