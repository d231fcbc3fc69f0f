"""`navguide serve --workers N`: N server processes on one port, kept running.

Each worker is a whole navguide server listening on the same address with
`SO_REUSEPORT`, so the kernel spreads connections over them and no process
hands requests to another. The parent only supervises: it checks the
knowledge and settings once (a broken start fails before any fork), holds the
port so a second `serve` on it fails at once, gives every worker the same
`secret`, starts a worker again when one dies (kill -9 included), passes
SIGHUP on (reload the knowledge) and stops them all on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import replace

from aiohttp import web

from ..settings import Settings, SettingsError

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds before a worker that died is started again


def reserve_port(host: str, port: int) -> socket.socket:
    """Bind (without listening) so the port is ours; workers bind it again with SO_REUSEPORT.

    SO_REUSEPORT would also let a second navguide of the same user join the
    port, so first make sure nothing answers there.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        probe_host = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
        with contextlib.suppress(OSError), socket.create_connection((probe_host, port), 1):
            raise SettingsError(f"cannot listen on {host}:{port}: something already does")
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError as exc:
        raise SettingsError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def run_worker(app: web.Application, settings: Settings, **run_args: object) -> None:
    """One worker: the server until SIGTERM, then a clean shutdown (records flushed)."""
    web.run_app(app, host=settings.host, port=settings.port, reuse_port=True, print=None,
                **run_args)  # type: ignore[arg-type]


def supervise(settings: Settings, make_app: Callable[[Settings], web.Application],
              **run_args: object) -> int:
    """Run `settings.workers` workers until told to stop; returns the exit status."""
    if not settings.secret:  # one key for all, or a conversation breaks between workers
        settings = replace(settings, secret=secrets.token_urlsafe(32))
    first = make_app(settings)  # raises here, before any fork, for broken knowledge
    reserved = reserve_port(settings.host, settings.port)
    children: dict[int, int] = {}  # pid -> worker number
    stopping = False

    def start(number: int, app: web.Application | None) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            reserved.close()
            _end_with_parent()
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            status = 0
            try:
                run_worker(app if app is not None else make_app(settings), settings,
                           **run_args)
            except (SystemExit, KeyboardInterrupt):  # aiohttp's GracefulExit: told to stop
                pass
            except BaseException:  # a worker must never return into the parent's loop
                log.exception("worker %d failed", number)
                status = 1
            finally:
                logging.shutdown()
                os._exit(status)
        children[pid] = number

    def forward(sig: int, _frame: object) -> None:
        nonlocal stopping
        if sig != signal.SIGHUP:
            stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM if sig != signal.SIGHUP else signal.SIGHUP)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    for number in range(settings.workers):
        start(number, first)
    print(f"navguide serving on http://{settings.host}:{settings.port}/ with "
          f"{settings.workers} workers (Ctrl-C to stop)", flush=True)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        number = children.pop(pid, None)
        if number is None or stopping:
            continue
        log.warning("worker %d (pid %d) ended (%s); starting it again", number, pid,
                    _how(status))
        time.sleep(RESTART_PAUSE)
        if not stopping:
            start(number, None)  # a fresh app: the knowledge as it is now
    reserved.close()
    return 0


def _end_with_parent() -> None:
    """Linux: the worker gets SIGTERM if the supervisor dies (even by kill -9)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl: follow it now
            os._exit(0)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"

