"""Records are queued by the request and written by a background task.

The request only puts a record on a bounded queue and never waits for the
store. The task writes what has gathered within `batch_wait` seconds of a
record in one transaction. A batch that fails is tried again, after making the tables again (the
SQLite file may have been deleted, the database recreated), with growing
pauses; while it waits, new records queue. Only when the queue is full, or a
batch has failed every try, are records dropped: each drop is counted, logged
and shown by /api/health and /metrics, never silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from .store import Asked, Feedback, Store, StoreError, hours_ago

log = logging.getLogger(__name__)

MAX_QUEUE = 10_000
MAX_BATCH = 500
# How long the first record of a batch waits for others: one connection and one
# commit for many records instead of one per record (under load the store's
# connect and commit cost as much as a reply's HTTP handling).
BATCH_WAIT = 0.25
PRUNE_EVERY = 3600.0  # seconds between deletions of records past retention
# Pauses between tries of a failed batch: a database restart of a few seconds loses nothing.
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)


class Recorder:
    def __init__(self, store: Store, retention_days: int, max_queue: int = MAX_QUEUE,
                 retry_delays: Sequence[float] = RETRY_DELAYS,
                 batch_wait: float = BATCH_WAIT) -> None:
        self.store = store
        self.batch_wait = batch_wait
        self.retention_days = retention_days
        self.queue: asyncio.Queue[Asked | Feedback] = asyncio.Queue(max_queue)
        self.retry_delays = tuple(retry_delays)
        self.dropped = 0
        self.written = 0
        self.failing = False  # the last try to write failed; cleared by the next success
        self.problem = ""  # why, without the store's path or address (health is public)
        self._ready = False
        self._setup_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    def add(self, item: Asked | Feedback) -> None:
        """Queue a record; never blocks, never raises."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self._drop(1, "the record queue is full (the store is behind)")

    def state(self) -> dict[str, object]:
        """What /api/health shows of the store: nothing that names a path or a host."""
        return {
            "state": "failing" if self.failing else "ok",
            "queued": self.queue.qsize(),
            "written": self.written,
            "dropped": self.dropped,
            **({"problem": self.problem} if self.failing else {}),
        }

    def _drop(self, count: int, why: str) -> None:
        before = self.dropped
        self.dropped += count
        if before == 0 or before // 100 != self.dropped // 100 or count > 1:
            log.warning("record store: %d record(s) dropped (%s); %d dropped so far",
                        count, why, self.dropped)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._write_loop(), name="navguide-records"),
                       asyncio.create_task(self._prune_loop(), name="navguide-prune")]

    async def flush(self) -> None:
        """Wait until everything queued so far is written or dropped."""
        await self.queue.join()

    async def close(self, timeout: float = 5.0) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), timeout)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.queue.qsize():
            log.warning("record store: %d record(s) not written at shutdown", self.queue.qsize())

    async def prune(self) -> int:
        """Delete records older than the retention; returns how many went."""
        cutoff = hours_ago(24 * self.retention_days)
        await self._ensure_ready()
        deleted = await asyncio.to_thread(self.store.delete_before, cutoff)
        if deleted:
            log.info("deleted %d record(s) older than %d days", deleted, self.retention_days)
        return deleted

    async def _ensure_ready(self) -> None:
        async with self._setup_lock:
            if not self._ready:
                await asyncio.to_thread(self.store.setup)
                self._ready = True

    async def ensure_ready(self) -> None:
        """Make the tables if this process has not yet (or they may have gone)."""
        await self._ensure_ready()

    async def _write_loop(self) -> None:
        while True:
            batch = [await self.queue.get()]
            if self.queue.qsize() < MAX_BATCH - 1 and self.batch_wait > 0:
                await asyncio.sleep(self.batch_wait)  # let a batch gather
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await self._write(batch)
            finally:
                for _ in batch:
                    self.queue.task_done()

    async def _write(self, batch: Sequence[Asked | Feedback]) -> None:
        for attempt in range(len(self.retry_delays) + 1):
            if attempt:
                await asyncio.sleep(self.retry_delays[attempt - 1])
            try:
                await self._ensure_ready()
                await asyncio.to_thread(self.store.write, batch)
            except (StoreError, OSError) as exc:
                self._failed(exc, attempt == 0)
                self._ready = False  # make the tables again before the next try
                continue
            except Exception:  # a bug must not stop recording for good
                log.exception("record store: unexpected error")
                self._failed(None, False)
                break
            self.written += len(batch)
            if self.failing:
                log.info("record store: writing again")
            self.failing, self.problem = False, ""
            return
        self._drop(len(batch), "the store failed every try")

    def _failed(self, exc: BaseException | None, first: bool) -> None:
        cause = exc.__cause__ if exc is not None and exc.__cause__ is not None else exc
        self.problem = ("cannot write records: "
                        f"{type(cause).__name__ if cause is not None else 'unexpected error'}")
        if first and not self.failing:  # one line when it starts failing, not one a try
            log.warning("record store failed, trying again: %s", exc)
        self.failing = True

    async def _prune_loop(self) -> None:
        while True:
            try:
                await self.prune()
            except (StoreError, OSError) as exc:
                log.warning("record store: could not delete old records: %s", exc)
            await asyncio.sleep(PRUNE_EVERY)
