"""A stand-in for Skolverket's Planned Educations API, serving recorded pages.

Bound to 127.0.0.1 by pytest-aiohttp's server fixture: the importer's tests
never reach the network. `mode` makes it misbehave the ways the real service
can: an HTTP 500 (always, or once), an answer slower than the client waits, a
body that is not JSON, a page that breaks half-way, nothing found, a 404.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

PAGES = Path(__file__).parent / "data" / "skolverket"
ACCEPT = "application/vnd.skolverket.plannededucations.api.v4.hal+json"
EMPTY = {"status": "OK", "message": "", "body": {
    "_links": {}, "page": {"size": 20, "totalElements": 0, "totalPages": 0, "number": 0}}}


@dataclass
class Recorded:
    mode: str = "ok"
    requests: list[web.Request] = field(default_factory=list)
    pages: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.pages:
            self.pages = [p.read_bytes() for p in sorted(PAGES.glob("page-*.json"))]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/planned-educations/v4/adult-education-events", self.events)
        return app

    async def events(self, request: web.Request) -> web.Response:
        self.requests.append(request)
        if request.headers.get("Accept") != ACCEPT:
            return web.json_response({"status": "ERROR", "message": "Not acceptable"},
                                     status=406)
        number = int(request.query.get("page", "0"))
        mode = self.mode
        if mode == "500" or (mode == "500-once" and len(self.requests) == 1):
            return web.Response(status=500, text="Internal Server Error")
        if mode == "slow":
            await asyncio.sleep(2)
        if mode == "malformed":
            return web.Response(text='{"status": "OK", "body": {"_embedded": ',
                                content_type="application/json")
        if mode == "broken-page" and number == 1:
            return web.Response(text="<html>Bad gateway</html>", content_type="text/html")
        if mode == "empty":
            return web.json_response(EMPTY)
        if mode == "404":
            return web.json_response({"status": "ERROR", "message": "No such path"},
                                     status=404)
        if number >= len(self.pages):
            return web.json_response(EMPTY)
        return web.Response(body=self.pages[number], content_type="application/json")


def recorded_events() -> list[dict[str, object]]:
    events = []
    for path in sorted(PAGES.glob("page-*.json")):
        events += json.loads(path.read_text())["body"]["_embedded"]["listedAdultEducationEvents"]
    return events
