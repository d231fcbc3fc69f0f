"""`/chat`: the chat as a plain page that works without JavaScript.

A form posts the learner's message with the signed conversation context in a
hidden field; the server replays the few earlier messages it carries to show
the conversation, so it keeps nothing per learner. `/chat?q=...` links
straight to an answer.
"""

from __future__ import annotations

import json
import uuid

from aiohttp import web

from ..holder import Loaded
from ..records import record_reply
from ..render import reply_payload
from .api import checked_message, checked_municipality
from .conversation import make_context, read_context
from .errors import ApiError
from .keys import holder_key, secret_key, settings_key
from .pagekit import lang_of, render, ui


def conversation(request: web.Request, loaded: Loaded, messages: list[str],
                 municipality: str | None, lang: str,
                 asked: bool = False) -> tuple[list[dict], dict]:
    """Each message with the reply it gets, and the context to send back.

    `asked`: the last message is new, so its reply is recorded like the API's.
    """
    turns = []
    reply = None
    for i in range(len(messages)):
        reply = loaded.matcher.reply(messages[: i + 1], municipality, lang)
        turns.append({"message": messages[i], "reply": reply_payload(reply, loaded.knowledge)})
    if asked and reply is not None:
        record_reply(request.app, reply, uuid.uuid4().hex, messages[-1])
    remembered = reply.municipality if reply else municipality
    return turns, make_context(request.app[secret_key], messages, remembered)


def page(request: web.Request, loaded: Loaded, lang: str, municipality: str | None,
         turns: list[dict], context: dict | None, error: str | None = None,
         draft: str = "") -> web.Response:
    return render(
        request, "chat.html", status=400 if error else 200,
        lang=lang, t=ui(lang), texts={"sv": ui("sv"), "en": ui("en")},
        other_lang="en" if lang == "sv" else "sv",
        max_chars=request.app[settings_key].max_message_chars,
        other=ui("en" if lang == "sv" else "sv"),
        municipalities=loaded.knowledge.municipalities, municipality=municipality or "",
        turns=turns, context=json.dumps(context) if context else "", error=error, draft=draft,
    )


async def chat_get(request: web.Request) -> web.Response:
    loaded = request.app[holder_key].current
    lang = lang_of(request.query.get("lang"))
    municipality = checked_municipality(request.query.get("municipality"), loaded, "drop")
    question = request.query.get("q", "")
    if not question.strip():
        return page(request, loaded, lang, municipality, [], None)
    try:
        message = checked_message({"message": question},
                                  request.app[settings_key].max_message_chars)
    except ApiError as exc:
        return page(request, loaded, lang, municipality, [], None, error=exc.message)
    turns, context = conversation(request, loaded, [message], municipality, lang, asked=True)
    return page(request, loaded, lang, municipality, turns, context)


async def chat_post(request: web.Request) -> web.Response:
    loaded = request.app[holder_key].current
    settings = request.app[settings_key]
    form = await request.post()
    lang = lang_of(form.get("lang"))
    municipality = checked_municipality(form.get("municipality"), loaded, "drop")
    raw_context = form.get("context") or ""
    try:
        context = json.loads(raw_context) if isinstance(raw_context, str) and raw_context else None
        history, remembered = read_context(request.app[secret_key], context,
                                           settings.max_message_chars)
    except (ValueError, ApiError) as exc:
        raise web.HTTPBadRequest() from exc
    remembered = checked_municipality(remembered, loaded, "drop")
    message = form.get("message")
    if not isinstance(message, str) or not message.strip():
        turns = conversation(request, loaded, history, municipality or remembered, lang)[0]
        return page(request, loaded, lang, municipality, turns, context,
                    error=ui(lang)["ui_empty_message"])
    try:
        message = checked_message({"message": message}, settings.max_message_chars)
    except ApiError as exc:
        turns = conversation(request, loaded, history, municipality or remembered, lang)[0]
        return page(request, loaded, lang, municipality, turns, context, error=exc.message,
                    draft=message[: settings.max_message_chars])
    turns, new_context = conversation(request, loaded, [*history, message],
                                      municipality or remembered, lang, asked=True)
    return page(request, loaded, lang, municipality, turns, new_context)


def setup(app: web.Application) -> None:
    app.router.add_get("/chat", chat_get, name="chat_page")
    app.router.add_post("/chat", chat_post)
