"""Admin sessions: a random id per sign-in, kept server-side until logout or timeout.

The browser's cookie holds only the random id; the store keeps a SHA-256 of
it and when it expires, so every process sharing the store sees the same
sessions, a logout ends the session everywhere, and a copy of the store
cannot be used to sign in. Without a store (`record` off) the sessions are kept
in this process only.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable

from .store import Store

ID_BYTES = 32


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


class Sessions:
    def __init__(self, store: Store | None, lifetime: float,
                 ready: Callable[[], object] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.lifetime = lifetime
        self.clock = clock
        self._ready = ready  # makes the store's tables, when they may not exist yet
        self._local: dict[str, float] = {}

    async def _prepare(self) -> None:
        if self._ready is not None:
            result = self._ready()
            if asyncio.iscoroutine(result):
                await result

    async def start(self) -> str:
        """A new session; returns its id for the cookie."""
        session_id = secrets.token_urlsafe(ID_BYTES)
        expires = self.clock() + self.lifetime
        if self.store is None:
            self._forget_expired()
            self._local[id_hash(session_id)] = expires
        else:
            await self._prepare()
            await asyncio.to_thread(self.store.delete_sessions_before, self.clock())
            await asyncio.to_thread(self.store.add_session, id_hash(session_id), expires)
        return session_id

    async def alive(self, session_id: str) -> bool:
        if not session_id or len(session_id) > 200:
            return False
        key = id_hash(session_id)
        if self.store is None:
            return self._local.get(key, 0.0) > self.clock()
        await self._prepare()
        return await asyncio.to_thread(self.store.session_alive, key, self.clock())

    async def end(self, session_id: str) -> None:
        key = id_hash(session_id)
        if self.store is None:
            self._local.pop(key, None)
            return
        await self._prepare()
        await asyncio.to_thread(self.store.end_session, key)

    def _forget_expired(self) -> None:
        now = self.clock()
        for key in [k for k, expires in self._local.items() if expires <= now]:
            del self._local[key]
