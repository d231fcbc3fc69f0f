"""The JSON API: chat, feedback, health and what knowledge is loaded."""

from __future__ import annotations

import json
import logging
import re
import uuid
from pathlib import Path
from typing import Literal

from aiohttp import web

from ..catalogue import LANGS
from ..holder import Loaded
from ..knowledge import Problem
from ..matcher.followups import Shown
from ..records import record_feedback, record_reply
from ..render import reply_payload
from .conversation import make_context, read_context
from .errors import ApiError
from .keys import holder_key, secret_key, settings_key

log = logging.getLogger(__name__)


async def read_json(request: web.Request) -> dict:
    """The request's JSON object, or an ApiError saying what is wrong with it."""
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       "Send JSON with Content-Type: application/json.")
    limit = request.app[settings_key].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "body_too_large", f"The body is over {limit} bytes.")
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise ApiError(413, "body_too_large", f"The body is over {limit} bytes.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.")
    return data


def checked_message(data: dict, max_chars: int) -> str:
    if "message" not in data:
        raise ApiError(400, "missing_message", "Send the learner's text as `message`.")
    message = data["message"]
    if not isinstance(message, str):
        raise ApiError(400, "invalid_message", "`message` must be a string.")
    if not message.strip():
        raise ApiError(400, "empty_message", "`message` is empty.")
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
    raise ApiError(400, "unknown_municipality", f"Unknown municipality {value!r}.")


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
    reply = loaded.matcher.reply(messages, municipality or remembered, lang, shown)
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


async def health(request: web.Request) -> web.Response:
    holder = request.app[holder_key]
    body: dict[str, object] = {"status": "ok", "knowledge": holder.current.knowledge.version}
    if holder.rejected:
        body["status"] = "degraded"
        # A count and the files, not the messages: the log and /admin have those.
        body["last_edit"] = {
            "rejected": True,
            "at": holder.rejected_at.isoformat() if holder.rejected_at else None,
            "errors": len(holder.rejected),
            "files": knowledge_files_of(holder.rejected, request.app[settings_key].knowledge),
        }
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


async def knowledge_info(request: web.Request) -> web.Response:
    knowledge = request.app[holder_key].current.knowledge
    return web.json_response({
        "version": knowledge.version,
        "loaded_at": knowledge.loaded_at.isoformat() if knowledge.loaded_at else None,
        "counts": knowledge.counts(),
        "municipalities": [{"id": m.id, "name": m.name} for m in knowledge.municipalities],
    })


def setup_api(app: web.Application) -> None:
    app.router.add_post("/api/chat", chat, name="chat")
    app.router.add_post("/api/feedback", feedback, name="feedback")
    app.router.add_get("/api/health", health, name="health")
    app.router.add_get("/api/knowledge", knowledge_info, name="knowledge")
