"""Fetching every adult-education event of an area from Skolverket's Planned Educations API (v4).

`GET {base}/v4/adult-education-events` answers one page at a time:
`{status, message, body: {_embedded: {listedAdultEducationEvents: [...]},
page: {size, totalElements, totalPages, number}}}`. Pages are fetched one
after another with a pause between them (a polite rate for a public service),
each with a timeout, and retried with growing pauses when the service is busy
or down (a timeout, a dropped connection, 429, 5xx, a body cut short). Anything
else, or a run that cannot get every page, fails as a whole: a partial
catalogue is never written.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import aiohttp

from .. import __version__

DEFAULT_BASE_URL = "https://api.skolverket.se/planned-educations"
ACCEPT = "application/vnd.skolverket.plannededucations.api.v4.hal+json"
PAGE_SIZE = 100
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """The catalogue could not be fetched whole; the message says why, in one line."""


@dataclass(frozen=True)
class FetchOptions:
    base_url: str = DEFAULT_BASE_URL
    areas: tuple[str, ...] = ()  # geographicalAreaCode: a county (23) or municipalities
    types: tuple[str, ...] = ()  # typeOfSchool: sfi, vuxgy, ...
    page_size: int = PAGE_SIZE
    timeout: float = 30.0  # seconds per request
    retries: int = 4  # further tries of one page after the first
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    delay: float = 0.5  # seconds between requests at least
    max_pages: int = 2000  # a runaway paging guard: 200,000 events at size 100


@dataclass
class Fetched:
    events: list[dict[str, object]] = field(default_factory=list)
    total: int = 0
    pages: int = 0
    requests: int = 0


async def fetch_events(options: FetchOptions) -> Fetched:
    """Every event for the options' areas and types, or FetchError."""
    url = options.base_url.rstrip("/") + "/v4/adult-education-events"
    timeout = aiohttp.ClientTimeout(total=options.timeout)
    headers = {"Accept": ACCEPT, "User-Agent": f"navguide/{__version__} (course import)"}
    out = Fetched()
    seen: set[object] = set()
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
        pacer = _Pacer(options.delay)
        number = 0
        total_pages = 1
        while number < total_pages:
            if number >= options.max_pages:
                raise FetchError(f"more than {options.max_pages} pages; narrow the import")
            params = _params(options, number)
            events, page = await _page(session, url, params, options, pacer, out)
            if number == 0:
                out.total = page["totalElements"]
                total_pages = page["totalPages"]
            elif not events:
                raise FetchError(f"page {number + 1} of {total_pages} came back empty; "
                                 "the catalogue changed during the run, try again")
            for event in events:
                key = event.get("educationEventId")
                if key is None or key not in seen:
                    seen.add(key)
                    out.events.append(event)
            number += 1
            out.pages = number
    if len(out.events) < out.total:
        raise FetchError(f"only {len(out.events)} of {out.total} events arrived; "
                         "the catalogue changed during the run, try again")
    return out


def _params(options: FetchOptions, number: int) -> list[tuple[str, str]]:
    params = [("geographicalAreaCode", a) for a in options.areas]
    params += [("typeOfSchool", t) for t in options.types]
    params += [("page", str(number)), ("size", str(options.page_size))]
    return params


class _Pacer:
    """At most one request per `delay` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.last = float("-inf")

    async def wait(self) -> None:
        pause = self.last + self.delay - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        self.last = time.monotonic()


async def _page(
    session: aiohttp.ClientSession, url: str, params: list[tuple[str, str]],
    options: FetchOptions, pacer: _Pacer, out: Fetched,
) -> tuple[list[dict[str, object]], dict[str, int]]:
    """One page's events and paging facts, retried while the failure may pass."""
    number = int(dict(params)["page"]) + 1
    problem = ""
    for attempt in range(options.retries + 1):
        if attempt:
            await asyncio.sleep(options.backoff * 2 ** (attempt - 1))
        await pacer.wait()
        out.requests += 1
        try:
            async with session.get(url, params=params) as response:
                if response.status in _RETRY_STATUS:
                    problem = f"HTTP {response.status}"
                    continue
                if response.status != 200:
                    text = (await response.text(errors="replace"))[:200]
                    raise FetchError(f"Skolverket answered HTTP {response.status} for page "
                                     f"{number}: {_one_line(text) or response.reason}")
                data = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            problem = _describe(exc, options.timeout)
            continue
        try:
            return _read_page(data)
        except ValueError as exc:
            problem = str(exc)  # a body cut short may come whole the next time
    raise FetchError(f"Skolverket did not answer page {number} after "
                     f"{options.retries + 1} tries (last: {problem})")


def _read_page(data: bytes) -> tuple[list[dict[str, object]], dict[str, int]]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the answer is not JSON ({exc})") from exc
    body = document.get("body") if isinstance(document, dict) else None
    if not isinstance(body, dict):
        message = document.get("message") if isinstance(document, dict) else None
        raise ValueError(f"the answer has no `body`{': ' + str(message) if message else ''}")
    embedded = body.get("_embedded") or {}
    events = embedded.get("listedAdultEducationEvents") if isinstance(embedded, dict) else None
    if events is None:
        events = []  # an empty result leaves `_embedded` out
    if not isinstance(events, list):
        raise ValueError("`listedAdultEducationEvents` is not a list")
    page = body.get("page")
    if not isinstance(page, dict):
        raise ValueError("the answer has no `page`")
    try:
        facts = {k: int(page[k]) for k in ("totalElements", "totalPages", "number")}
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"the answer's `page` is not readable ({exc})") from exc
    return [e for e in events if isinstance(e, dict)], facts


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    return _one_line(str(exc)) or type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())
