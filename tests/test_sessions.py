"""Admin sessions: random, server-side, ended by logout and by time."""

from __future__ import annotations

import pytest

from navguide.records.sessions import Sessions, id_hash
from navguide.records.store import open_store


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sqlite"])
def make_sessions(request, tmp_path):  # type: ignore[no-untyped-def]
    def make(clock: Clock) -> Sessions:
        if request.param == "memory":
            return Sessions(None, 3600, clock=clock)
        store = open_store(f"sqlite:///{tmp_path / 'records.sqlite3'}")
        store.setup()
        return Sessions(store, 3600, clock=clock)
    return make


async def test_each_sign_in_gets_a_new_random_id(make_sessions):
    sessions = make_sessions(Clock())
    first, second = await sessions.start(), await sessions.start()
    assert first != second
    assert len(first) >= 40
    assert await sessions.alive(first) and await sessions.alive(second)
    assert not await sessions.alive("made-up")
    assert not await sessions.alive("")


async def test_logout_ends_the_session(make_sessions):
    sessions = make_sessions(Clock())
    session_id = await sessions.start()
    await sessions.end(session_id)
    assert not await sessions.alive(session_id)


async def test_a_session_ends_after_its_lifetime(make_sessions):
    clock = Clock()
    sessions = make_sessions(clock)
    session_id = await sessions.start()
    clock.now += 3599
    assert await sessions.alive(session_id)
    clock.now += 2
    assert not await sessions.alive(session_id)


async def test_the_store_keeps_a_hash_never_the_id(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    store.setup()
    session_id = await Sessions(store, 3600).start()
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(store.path)) as conn:
        kept = [row[0] for row in conn.execute("SELECT id_hash FROM admin_session")]
    assert kept == [id_hash(session_id)]
    assert session_id not in kept


async def test_two_processes_sharing_a_store_see_the_same_sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    one, two = open_store(url), open_store(url)
    one.setup()
    session_id = await Sessions(one, 3600).start()
    assert await Sessions(two, 3600).alive(session_id)
    await Sessions(two, 3600).end(session_id)
    assert not await Sessions(one, 3600).alive(session_id)
