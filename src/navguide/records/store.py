"""Where records of answered messages are kept: SQLite by default, or PostgreSQL.

Both speak the same portable SQL. A connection is opened per batch and closed
after it, so a store that was down is simply tried again on the next batch,
and nothing stays open between writes. Every call blocks: the app runs them
in a thread (see writer.py).

What the tables hold is listed column by column below, and nothing else is
kept: no IP address, user agent, cookie or other identifier of the learner.
`reply_id` is a random id made per reply, so feedback can name the reply.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..settings import SettingsError

SETUP_LOCK = 0x6E617667  # "navg": the PostgreSQL advisory lock held while making tables
HOUR_FORMAT = "%Y-%m-%d %H:00"  # UTC; sorts as text, so `hour >= ?` works in both stores

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS asked (
        reply_id TEXT PRIMARY KEY,
        hour TEXT NOT NULL,
        municipality TEXT,
        lang TEXT NOT NULL,
        kind TEXT NOT NULL,
        ids TEXT NOT NULL,
        score REAL NOT NULL,
        margin REAL NOT NULL,
        runner_up TEXT,
        handoff INTEGER NOT NULL,
        text TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS asked_hour ON asked (hour)",
    """CREATE TABLE IF NOT EXISTS feedback (
        reply_id TEXT PRIMARY KEY,
        hour TEXT NOT NULL,
        helpful INTEGER NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS feedback_hour ON feedback (hour)",
    # Admin sign-ins: a hash of the random session id (never the id itself, so a copy
    # of the store cannot be used to sign in) and when it expires, in Unix seconds.
    """CREATE TABLE IF NOT EXISTS admin_session (
        id_hash TEXT PRIMARY KEY,
        expires REAL NOT NULL
    )""",
)
TABLES = ("asked", "feedback", "admin_session")

_INSERT_ASKED = """INSERT INTO asked (reply_id, hour, municipality, lang, kind, ids, score,
    margin, runner_up, handoff, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (reply_id) DO NOTHING"""
# Feedback only for a reply that was recorded: random ids sent in bulk are not kept.
_INSERT_FEEDBACK = """INSERT INTO feedback (reply_id, hour, helpful)
    SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM asked WHERE reply_id = ?)
    ON CONFLICT (reply_id) DO UPDATE SET helpful = excluded.helpful"""
_SELECT = """SELECT a.reply_id, a.hour, a.municipality, a.lang, a.kind, a.ids, a.score, a.margin,
    a.runner_up, a.handoff, a.text, f.helpful
    FROM asked a LEFT JOIN feedback f ON f.reply_id = a.reply_id
    WHERE a.hour >= ?{where} ORDER BY a.hour"""


class StoreError(Exception):
    """The store cannot be reached or refused a statement."""


def hour_of(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime(HOUR_FORMAT)


def hours_ago(hours: float) -> str:
    return hour_of(datetime.now(UTC) - timedelta(hours=hours))


@dataclass(frozen=True)
class Asked:
    """One answered message, as recorded."""

    reply_id: str
    hour: str
    municipality: str | None
    lang: str
    kind: str
    ids: tuple[str, ...]
    score: float
    margin: float
    runner_up: str | None
    handoff: bool
    text: str | None  # scrubbed, or None when `keep_text` is off


@dataclass(frozen=True)
class Feedback:
    reply_id: str
    hour: str
    helpful: bool


@dataclass(frozen=True)
class Row(Asked):
    """An answered message with the learner's feedback, for the report."""

    helpful: bool | None = None


class Store:
    """The SQL both stores share; subclasses say how to connect."""

    placeholder = "?"
    errors: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)

    def __init__(self, url: str) -> None:
        self.url = url

    def describe(self) -> str:
        return self.url

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        raise NotImplementedError
        yield  # pragma: no cover

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        try:
            with self._connect() as conn, closing(conn.cursor()) as cur:
                yield cur
        except self.errors as exc:
            raise StoreError(f"{self.describe()}: {exc}".strip()) from exc

    def setup(self) -> None:
        with self._cursor() as cur:
            for statement in SCHEMA:
                cur.execute(statement)

    def write(self, items: Sequence[Asked | Feedback]) -> None:
        """Write a batch in one transaction (answers first: feedback names them)."""
        asked = [(item.reply_id, item.hour, item.municipality, item.lang, item.kind,
                  " ".join(item.ids), item.score, item.margin, item.runner_up,
                  int(item.handoff), item.text)
                 for item in items if isinstance(item, Asked)]
        feedback = [(item.reply_id, item.hour, int(item.helpful), item.reply_id)
                    for item in items if isinstance(item, Feedback)]
        with self._cursor() as cur:
            if asked:
                cur.executemany(self._sql(_INSERT_ASKED), asked)
            if feedback:
                cur.executemany(self._sql(_INSERT_FEEDBACK), feedback)

    # Admin sessions: kept here so that every process behind one port sees the same ones.

    def add_session(self, id_hash: str, expires: float) -> None:
        with self._cursor() as cur:
            cur.execute(self._sql("INSERT INTO admin_session (id_hash, expires) VALUES (?, ?)"),
                        (id_hash, expires))

    def session_alive(self, id_hash: str, now: float) -> bool:
        with self._cursor() as cur:
            cur.execute(self._sql("SELECT 1 FROM admin_session WHERE id_hash = ? AND expires > ?"),
                        (id_hash, now))
            return cur.fetchone() is not None

    def end_session(self, id_hash: str) -> None:
        with self._cursor() as cur:
            cur.execute(self._sql("DELETE FROM admin_session WHERE id_hash = ?"), (id_hash,))

    def delete_sessions_before(self, now: float) -> None:
        with self._cursor() as cur:
            cur.execute(self._sql("DELETE FROM admin_session WHERE expires <= ?"), (now,))

    def delete_before(self, hour: str) -> int:
        """Delete records from before `hour`; returns how many answered messages went."""
        with self._cursor() as cur:
            cur.execute(self._sql("DELETE FROM feedback WHERE hour < ?"), (hour,))
            cur.execute(self._sql("DELETE FROM asked WHERE hour < ?"), (hour,))
            return max(cur.rowcount, 0)

    def rows(self, since: str, municipality: str | None = None) -> list[Row]:
        where = " AND a.municipality = ?" if municipality else ""
        params = (since, municipality) if municipality else (since,)
        with self._cursor() as cur:
            cur.execute(self._sql(_SELECT.format(where=where)), params)
            found = cur.fetchall()
        return [
            Row(reply_id, hour, muni, lang, kind, tuple(ids.split()), float(score),
                float(margin), runner_up, bool(handoff), text,
                None if helpful is None else bool(helpful))
            for (reply_id, hour, muni, lang, kind, ids, score, margin, runner_up, handoff,
                 text, helpful) in found
        ]

    def columns(self) -> dict[str, list[str]]:
        """Every table's columns, to show (and test) what is kept."""
        raise NotImplementedError


class SqliteStore(Store):
    def __init__(self, url: str, path: Path) -> None:
        super().__init__(url)
        self.path = path

    def describe(self) -> str:
        return f"SQLite {self.path}"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=5)) as conn, conn:
            yield conn

    def setup(self) -> None:
        super().setup()
        with self._cursor() as cur:  # readers (the report) do not wait for the writer
            cur.execute("PRAGMA journal_mode=WAL")

    def exists(self) -> bool:
        return self.path.is_file()

    def columns(self) -> dict[str, list[str]]:
        with self._cursor() as cur:
            return {table: [r[1] for r in cur.execute(f"PRAGMA table_info({table})")]
                    for table in ("asked", "feedback")}


class PostgresStore(Store):
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        try:
            import psycopg
        except ImportError as exc:
            raise SettingsError(
                "database_url is PostgreSQL, but psycopg is not installed: "
                "pip install 'navguide[postgres]'") from exc
        self._psycopg = psycopg
        self.errors = (psycopg.Error, OSError)

    def describe(self) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)  # never the password
        return f"PostgreSQL {parts.hostname or 'localhost'}{parts.path}"

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        # commits at the end of the block, rolls back on an error, then closes
        with self._psycopg.connect(self.url, connect_timeout=5,
                                   options="-c statement_timeout=10000") as conn:
            yield conn

    def exists(self) -> bool:
        return True

    def setup(self) -> None:
        """Make the tables once, even with several servers starting at the same time.

        An advisory lock lets one server at a time look, and DDL runs only when a
        table is missing, so a running server's inserts never wait on (or deadlock
        with) another server's `CREATE INDEX IF NOT EXISTS`.
        """
        with self._cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (SETUP_LOCK,))
            cur.execute("SELECT " + " AND ".join(f"to_regclass('{t}') IS NOT NULL" for t in TABLES))
            row = cur.fetchone()
            if row and row[0]:
                return
            for statement in SCHEMA:
                cur.execute(statement)

    def columns(self) -> dict[str, list[str]]:
        sql = ("SELECT column_name FROM information_schema.columns "
               "WHERE table_name = %s AND table_schema = current_schema() "
               "ORDER BY ordinal_position")
        with self._cursor() as cur:
            found = {}
            for table in ("asked", "feedback"):
                cur.execute(sql, (table,))
                found[table] = [r[0] for r in cur.fetchall()]
            return found


def open_store(url: str) -> SqliteStore | PostgresStore:
    """The store a `database_url` names; raises SettingsError for one it cannot use."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path:
            raise SettingsError("database_url sqlite:/// needs a file name")
        return SqliteStore(url, Path(path))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise SettingsError(
        f"database_url must start with sqlite:/// or postgresql://, not {url.split(':')[0]!r}")
