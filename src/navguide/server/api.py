"""The JSON API: chat, feedback, health and what knowledge is loaded."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Literal

from aiohttp import web

from ..catalogue import LANGS
from ..holder import Loaded
from ..knowledge import Problem
from ..matcher.followups import Shown
from ..matcher.reply import Reply
from ..records import record_feedback, record_reply, recorder_key
from ..render import reply_payload
from .conversation import make_context, read_context
from .errors import ApiError
from .guard import read_body
from .keys import holder_key, secret_key, settings_key
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import Metrics, metrics_middleware
from .openapi import openapi

log = logging.getLogger(__name__)
MAX_WORDS = 64  # words of a message the matcher reads (see `bounded`)
metrics_key = web.AppKey("metrics", Metrics)
BUSY_RETRY_AFTER = "1"  # seconds: the queue is short, a message waits a fraction of that


class MatcherPool:
    """The threads that run the matcher, and a bound on the messages waiting for them.

    Past `threads + queue` messages in hand, a message is refused at once with
    503 and `Retry-After` rather than queued: under overload the wait of every
    message would otherwise grow without bound (64 connections on a process
    that answers 60 a second wait a second each). `queue` 0: no bound.
    """

    def __init__(self, threads: int, queue: int) -> None:
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="navguide-matcher")
        self.limit = threads + queue if queue else None
        self.in_hand = 0  # running or waiting; only touched on the event loop
        self.refused = 0

    async def run(self, job: Callable[[], Reply]) -> Reply:
        if self.limit is not None and self.in_hand >= self.limit:
            self.refused += 1
            raise ApiError(503, "busy", "The server is busy; try again in a moment.",
                           headers={"Retry-After": BUSY_RETRY_AFTER})
        self.in_hand += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, job)
        finally:
            self.in_hand -= 1


pool_key = web.AppKey("matcher_pool", MatcherPool)


async def read_json(request: web.Request) -> dict:
    """The request's JSON object, or an ApiError saying what is wrong with it."""
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       "Send JSON with Content-Type: application/json.")
    body = await read_body(request)  # whole, however it arrives, within the time limit
    data = parse_json(body)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.")
    return data


def parse_json(body: bytes | str) -> object:
    """JSON as sent by a client: any fault in it is a 400, never an exception."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        data = json.loads(text)
        # A lone surrogate ("\ud800") parses but is no text: it fails wherever it is used.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeError as exc:
        raise ApiError(400, "invalid_json", "The body is not valid UTF-8 text.") from exc
    except RecursionError as exc:
        raise ApiError(400, "invalid_json", "The body is nested too deeply.") from exc
    except ValueError as exc:  # JSONDecodeError, and integers too long to read
        raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}") from exc
    return data


def bounded(message: str) -> str:
    """At most MAX_WORDS words for the matcher: a message's first and last words.

    Work per message grows with its words; a real question has fewer (the
    longest in the benchmarks has 64), and a long story keeps its question,
    which usually ends it. The learner's text is recorded and shown unchanged.
    """
    words = message.split()
    if len(words) <= MAX_WORDS:
        return message
    head = MAX_WORDS // 3
    return " ".join(words[:head]) + " … " + " ".join(words[head - MAX_WORDS:])


async def run_matcher(request: web.Request, loaded: Loaded, messages: list[str],
                      municipality: str | None, lang: str, **options: object) -> Reply:
    """The matcher's reply, computed in the matcher pool so the event loop stays free.

    `options` go to `Matcher.reply` as they are (e.g. `shown`). A 503 ApiError
    when the pool has as many messages in hand as it may (see MatcherPool).
    """
    reply = await request.app[pool_key].run(partial(
        loaded.matcher.reply, [bounded(m) for m in messages], municipality, lang, **options))
    metrics = request.app.get(metrics_key)
    if metrics is not None:
        metrics.reply(reply.kind, reply.handoff)
    return reply


def checked_message(data: dict, max_chars: int) -> str:
    if "message" not in data:
        raise ApiError(400, "missing_message", "Send the learner's text as `message`.")
    message = data["message"]
    if not isinstance(message, str):
        raise ApiError(400, "invalid_message", "`message` must be a string.")
    if not message.strip():
        raise ApiError(400, "empty_message", "`message` is empty.")
    try:
        message.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from /chat?q=%ED%A0%80
        raise ApiError(400, "invalid_message", "`message` is not valid text.") from exc
    if len(message) > max_chars:
        raise ApiError(400, "message_too_long", f"`message` is over {max_chars} characters.")
    return message.strip()


def checked_municipality(value: object, loaded: Loaded,
                         unknown: Literal["error", "drop"] = "error") -> str | None:
    """A municipality id the knowledge has, or None when none is given.

    An unknown one is a 400 for the API (`unknown="error"`); the /chat form and
    links drop it (`unknown="drop"`), as the knowledge may have changed under them.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and loaded.knowledge.municipality(value) is not None:
        return value
    if unknown == "drop":
        return None
    shown = repr(value)[:40] if isinstance(value, str) else type(value).__name__
    raise ApiError(400, "unknown_municipality", f"Unknown municipality {shown}.")


def checked_lang(value: object) -> str:
    if value is None:
        return "sv"
    if value not in LANGS:
        raise ApiError(400, "invalid_lang", "`lang` must be \"sv\" or \"en\".")
    return str(value)


async def chat(request: web.Request) -> web.Response:
    settings = request.app[settings_key]
    loaded = request.app[holder_key].current  # this request's version, whatever reloads
    data = await read_json(request)
    message = checked_message(data, settings.max_message_chars)
    municipality = checked_municipality(data.get("municipality"), loaded)
    lang = checked_lang(data.get("lang"))
    secret = request.app[secret_key]
    history, remembered, shown = read_context(secret, data.get("context"),
                                              settings.max_message_chars)
    remembered = checked_municipality(remembered, loaded, unknown="drop")
    messages = [*history, message]
    # `shown`: the last reply as the learner saw it; ids a knowledge edit removed
    # make the matcher answer the earlier turns again instead.
    reply = await run_matcher(request, loaded, messages, municipality or remembered, lang,
                              shown=shown)
    payload = reply_payload(reply, loaded.knowledge)
    payload["context"] = make_context(secret, messages, reply.municipality, Shown.of(reply))
    # A random id per reply, so feedback can name the reply without naming the learner.
    payload["reply_id"] = uuid.uuid4().hex
    record_reply(request.app, reply, payload["reply_id"], message)  # queued, never waits
    return web.json_response(payload)


async def feedback(request: web.Request) -> web.Response:
    data = await read_json(request)
    reply_id = data.get("reply_id")
    helpful = data.get("helpful")
    if not isinstance(reply_id, str) or not re.fullmatch(r"[0-9a-f]{32}", reply_id):
        raise ApiError(400, "invalid_feedback", "`reply_id` must be the id the reply gave.")
    if not isinstance(helpful, bool):
        raise ApiError(400, "invalid_feedback", "`helpful` must be true or false.")
    log.info("feedback reply=%s helpful=%s", reply_id, helpful)
    record_feedback(request.app, reply_id, helpful)
    return web.json_response({"ok": True})


def service_state(app: web.Application) -> dict[str, object]:
    """What /api/health and /metrics report: knowledge and record store, without paths."""
    holder = app[holder_key]
    recorder = app.get(recorder_key)
    records = recorder.state() if recorder is not None else {
        "state": "off", "queued": 0, "written": 0, "dropped": 0}
    body: dict[str, object] = {"status": "ok", "knowledge": holder.current.knowledge.version,
                               "records": records, "rejected": bool(holder.rejected)}
    if holder.rejected or records["state"] == "failing":
        body["status"] = "degraded"
    if holder.rejected:
        # A count and the files, not the messages: the log and /admin have those.
        body["last_edit"] = {
            "rejected": True,
            "at": holder.rejected_at.isoformat() if holder.rejected_at else None,
            "errors": len(holder.rejected),
            "files": knowledge_files_of(holder.rejected, app[settings_key].knowledge),
        }
    return body


async def health(request: web.Request) -> web.Response:
    body = service_state(request.app)
    del body["rejected"]
    return web.json_response(body)


def knowledge_files_of(problems: list[Problem], root: str) -> list[str]:
    """The files the problems are in, named relative to the knowledge folder."""
    base = Path(root).resolve()
    names = []
    for problem in problems:
        path = Path(problem.path).resolve()
        names.append(path.relative_to(base).as_posix() if path.is_relative_to(base)
                     else path.name)
    return sorted(set(names))


async def openapi_document(request: web.Request) -> web.Response:
    from .. import __version__

    return web.json_response(openapi(request.app[settings_key], __version__))


async def metrics_page(request: web.Request) -> web.Response:
    return web.Response(body=request.app[metrics_key].text(),
                        headers={"Content-Type": METRICS_CONTENT_TYPE})


async def knowledge_info(request: web.Request) -> web.Response:
    knowledge = request.app[holder_key].current.knowledge
    return web.json_response({
        "version": knowledge.version,
        "loaded_at": knowledge.loaded_at.isoformat() if knowledge.loaded_at else None,
        "counts": knowledge.counts(),
        "municipalities": [{"id": m.id, "name": m.name} for m in knowledge.municipalities],
    })


def setup_api(app: web.Application) -> None:
    settings = app[settings_key]

    async def pool_ctx(app: web.Application) -> AsyncIterator[None]:
        app[pool_key] = MatcherPool(settings.matcher_threads, settings.matcher_queue)
        yield
        app[pool_key].executor.shutdown(wait=True, cancel_futures=True)

    app.cleanup_ctx.append(pool_ctx)
    metrics = Metrics(lambda: service_state(app))
    app[metrics_key] = metrics
    app.middlewares.insert(0, metrics_middleware(metrics))
    app.router.add_get("/metrics", metrics_page, name="metrics")
    app.router.add_get("/api/openapi.json", openapi_document, name="openapi")
    app.router.add_post("/api/chat", chat, name="chat")
    app.router.add_post("/api/feedback", feedback, name="feedback")
    app.router.add_get("/api/health", health, name="health")
    app.router.add_get("/api/knowledge", knowledge_info, name="knowledge")
