"""The real app on a localhost port, a second "municipality" site on another,
and Debian's Chromium driven by Playwright (no browser download).

The servers run on their own event loops in background threads, so the
tests use Playwright's sync API in plain test functions.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from playwright.sync_api import Browser, Page, sync_playwright

from navguide.server.app import create_app
from navguide.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")

KNOWLEDGE = Path(__file__).parent / "data" / "knowledge"
AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]


class ServerThread:
    """An aiohttp app served on 127.0.0.1 from a thread with its own loop."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(app, access_log=None)
        self.port = 0
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = self.runner.addresses[0][1]
        self._started.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()

    def start(self) -> ServerThread:
        self._thread.start()
        if not self._started.wait(30):
            raise RuntimeError("the test server did not start")
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)


@dataclass
class Sites:
    navguide: str  # http://127.0.0.1:PORT
    host_allowed: str  # http://localhost:PORT2, in allowed_origins
    host_refused: str  # http://127.0.0.1:PORT2, the same pages from an origin not allowed


def host_app(sites: dict[str, str]) -> web.Application:
    """A municipality's site: a page embedding the widget the way a web team would."""

    async def page(request: web.Request) -> web.Response:
        attrs = "".join(f' data-{name}="{value}"' for name, value in request.query.items())
        html = f"""<!doctype html><html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kommunens sida</title></head><body>
<header><a href="#main">Hoppa till innehållet</a></header>
<main id="main"><h1>Vuxenutbildning</h1><p>Läs om att studera som vuxen.</p></main>
<script src="{sites['navguide']}/embed.js"{attrs} defer></script>
</body></html>"""
        return web.Response(text=html, content_type="text/html")

    async def frame(request: web.Request) -> web.Response:
        html = f"""<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>Ram</title></head><body>
<iframe id="f" title="Chatt" src="{sites['navguide']}/widget"></iframe></body></html>"""
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/page", page)
    app.router.add_get("/frame", frame)
    return app


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    urls: dict[str, str] = {}
    host = ServerThread(host_app(urls)).start()
    allowed = f"http://localhost:{host.port}"
    settings = Settings(
        knowledge=str(KNOWLEDGE), allowed_origins=[allowed], secret="browser-tests",
        watch=False, record=False,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'log.sqlite3'}",
    )
    navguide = ServerThread(create_app(settings)).start()
    urls["navguide"] = f"http://127.0.0.1:{navguide.port}"
    yield Sites(urls["navguide"], allowed, f"http://127.0.0.1:{host.port}")
    navguide.stop()
    host.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API holds an event loop in the main
    # thread while it runs, and the async tests in the other modules need it free.
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm install --no-save axe-core@4 (.ci/run does it)")
    return AXE.read_text(encoding="utf-8")
