"""Live edits: the knowledge folder is watched, rebuilt in a thread and swapped whole.

Watching is mtime polling of the folder's *.yaml / *.yml files every half
second: no dependency, and it works the same on network shares, in containers
and on every OS, where change notifications do not. A new version is loaded
and checked off the event loop, then swapped in with one assignment, so a
request keeps the version it started with. A broken edit is rejected: the last
good knowledge keeps answering and the errors go to the log, /api/health and
/admin. `SIGHUP` reloads too.

A new version answers at once (with its model from the cache, else the weights
the version before it was fitted with, else the shipped ones); the matcher is
then fitted to it (and its texts embedded) in a thread, and swapped in when
done, unless a newer version came in meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from ..holder import KnowledgeRejected, Loaded, build, fitted
from ..knowledge import KnowledgeDirError, Problem
from ..matcher.prepare import preparation_for
from .keys import holder_key, settings_key

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5

Snapshot = frozenset[tuple[str, int, int, int]]


def snapshot(root: Path) -> Snapshot:
    """What the knowledge files look like now: name, mtime, size and inode of each."""
    found = set()
    try:
        paths = [p for p in root.rglob("*") if p.suffix in (".yaml", ".yml")]
    except OSError:
        return frozenset()
    for path in paths:
        try:
            st = path.stat()
        except OSError:  # removed between listing and stat
            continue
        found.add((path.as_posix(), st.st_mtime_ns, st.st_size, st.st_ino))
    return frozenset(found)


class Reloader:
    """Rebuilds the app's knowledge on demand; one rebuild at a time."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.root = Path(app[settings_key].knowledge)
        self.prep = preparation_for(app[settings_key])
        self._lock = asyncio.Lock()
        self.reloads = 0
        self.watching = asyncio.Event()  # set once the watcher has its first snapshot
        self.fitting: asyncio.Task[None] | None = None

    def refine(self) -> asyncio.Task[None]:
        """Fit the matcher to the knowledge being served, in the background."""
        self.fitting = asyncio.get_running_loop().create_task(
            self._refine(self.app[holder_key].current), name="navguide-fit")
        return self.fitting

    async def _refine(self, loaded: Loaded) -> None:
        try:
            better = await asyncio.to_thread(fitted, loaded, self.prep)
        except Exception:  # a failed fit costs quality, never the service
            log.exception("fitting the matcher failed; the last fitted model answers")
            return
        holder = self.app[holder_key]
        if holder.current.knowledge.version == loaded.knowledge.version:
            holder.current = better  # not swap(): a rejected later edit stays reported
            log.info("matcher fitted to version %s (%s)", loaded.knowledge.version,
                     "semantic on" if better.matcher.semantic else "lexical")

    async def reload(self, reason: str = "reload") -> bool:
        """Load and check the folder; swap it in if it is good. True when it was."""
        async with self._lock:
            holder = self.app[holder_key]
            try:
                loaded = await asyncio.to_thread(build, self.root, self.prep, holder.current)
            except KnowledgeRejected as exc:
                holder.reject(exc.problems)
                log.error("knowledge edit rejected (%s); still serving version %s",
                          reason, holder.current.knowledge.version)
                for problem in dict.fromkeys(exc.problems):  # each error once per reload
                    log.error("%s", problem)
                return False
            except (KnowledgeDirError, OSError) as exc:
                holder.reject([Problem(str(self.root), 1, 1, str(exc))])
                log.error("knowledge folder unreadable (%s): %s", reason, exc)
                return False
            self.reloads += 1
            old, was_rejected = holder.current.knowledge.version, bool(holder.rejected)
            holder.swap(loaded)  # one assignment: a request sees the old or the new, whole
            if loaded.knowledge.version != old:
                log.info("knowledge reloaded (%s): version %s -> %s",
                         reason, old, loaded.knowledge.version)
            elif was_rejected:
                log.info("knowledge fixed (%s): serving version %s", reason, old)
            if loaded.knowledge.version != old:
                self.refine()
            return True

    async def watch(self, interval: float = POLL_SECONDS) -> None:
        """Reload whenever the files change; runs until cancelled."""
        seen = await asyncio.to_thread(snapshot, self.root)
        self.watching.set()
        while True:
            await asyncio.sleep(interval)
            now = await asyncio.to_thread(snapshot, self.root)
            if now == seen:
                continue
            seen = now
            await self.reload("files changed")
            # An edit saved while building is caught by the next poll's snapshot.


reloader_key = web.AppKey("reloader", Reloader)


def setup_reload(app: web.Application) -> None:
    """Watch the knowledge folder (unless `watch` is off) and reload on SIGHUP."""
    app[reloader_key] = Reloader(app)

    async def reload_ctx(app: web.Application) -> AsyncIterator[None]:
        reloader = app[reloader_key]
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[bool]] = set()

        def on_hup() -> None:
            task = loop.create_task(reloader.reload("SIGHUP"))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        hup = _add_signal_handler(loop, on_hup)
        reloader.refine()
        watcher = None
        if app[settings_key].watch:
            watcher = loop.create_task(reloader.watch(), name="navguide-watch")
            log.info("watching %s for changes", reloader.root)
        yield
        if hup:
            loop.remove_signal_handler(signal.SIGHUP)
        fitting = [reloader.fitting] if reloader.fitting else []
        for task in [*tasks, *([watcher] if watcher else []), *fitting]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.cleanup_ctx.append(reload_ctx)


def _add_signal_handler(loop: asyncio.AbstractEventLoop, callback) -> bool:  # type: ignore[no-untyped-def]
    sighup = getattr(signal, "SIGHUP", None)
    if sighup is None:
        return False  # Windows
    try:
        loop.add_signal_handler(sighup, callback)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
        return False
    return True
