"""Records are queued by the request and written by a background task.

The request only puts a record on a bounded queue and never waits for the
store: when the store is slow the queue fills and records are dropped, when it
fails the batch is dropped, each time with a log line, and the chat goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from .store import Asked, Feedback, Store, StoreError, hours_ago

log = logging.getLogger(__name__)

MAX_QUEUE = 1000
MAX_BATCH = 200
PRUNE_EVERY = 3600.0  # seconds between deletions of records past retention


class Recorder:
    def __init__(self, store: Store, retention_days: int, max_queue: int = MAX_QUEUE) -> None:
        self.store = store
        self.retention_days = retention_days
        self.queue: asyncio.Queue[Asked | Feedback] = asyncio.Queue(max_queue)
        self.dropped = 0
        self.written = 0
        self._ready = False
        self._setup_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    def add(self, item: Asked | Feedback) -> None:
        """Queue a record; never blocks, never raises."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 100 == 0:
                log.warning("record store is behind: %d record(s) dropped so far", self.dropped)

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

    async def _write_loop(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await self._write(batch)
            finally:
                for _ in batch:
                    self.queue.task_done()

    async def _write(self, batch: Sequence[Asked | Feedback]) -> None:
        try:
            await self._ensure_ready()
            await asyncio.to_thread(self.store.write, batch)
            self.written += len(batch)
        except (StoreError, OSError) as exc:
            self.dropped += len(batch)
            log.warning("record store failed, %d record(s) dropped: %s", len(batch), exc)
        except Exception:  # a bug must not stop recording for good
            self.dropped += len(batch)
            log.exception("record store: unexpected error, %d record(s) dropped", len(batch))

    async def _prune_loop(self) -> None:
        while True:
            try:
                await self.prune()
            except (StoreError, OSError) as exc:
                log.warning("record store: could not delete old records: %s", exc)
            await asyncio.sleep(PRUNE_EVERY)
