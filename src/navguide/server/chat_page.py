"""`/chat`: the chat as a plain page that works without JavaScript.

A form posts the learner's message with the signed conversation context in a
hidden field; the server replays the few earlier messages it carries to show
the conversation, so it keeps nothing per learner. `/chat?q=...` links
straight to an answer.
"""

from __future__ import annotations

import json
import re
import uuid

from aiohttp import web

from ..holder import Loaded
from ..matcher.followups import Shown
from ..records import record_feedback, record_reply
from ..render import reply_payload
from .api import checked_message, checked_municipality, parse_json, run_matcher
from .conversation import make_context, read_context
from .errors import ApiError
from .keys import holder_key, secret_key, settings_key
from .pagekit import lang_of, render, ui


async def conversation(request: web.Request, loaded: Loaded, messages: list[str],
                       municipality: str | None, lang: str,
                       asked: bool = False) -> tuple[list[dict], dict, str | None]:
    """Each message with the reply it gets, the context to send back and the
    municipality the conversation is in now.

    Each reply is judged against the one before it, as the API does with the
    context. `asked`: the last message is new, so its reply is recorded like the
    API's, and gets an id for the helpful / not helpful buttons.
    """
    turns = []
    reply = None
    for i in range(len(messages)):
        shown = Shown.of(reply) if reply is not None else None
        reply = await run_matcher(request, loaded, messages[: i + 1], municipality, lang,
                                  shown=shown)
        turns.append({"message": messages[i], "reply": reply_payload(reply, loaded.knowledge)})
    if asked and reply is not None:
        reply_id = uuid.uuid4().hex
        turns[-1]["reply_id"] = reply_id
        record_reply(request.app, reply, reply_id, messages[-1])
    remembered = reply.municipality if reply else municipality
    shown = Shown.of(reply) if reply is not None else None
    context = make_context(request.app[secret_key], messages, remembered, shown)
    return turns, context, remembered


def page(request: web.Request, loaded: Loaded, lang: str, municipality: str | None,
         turns: list[dict], context: dict | None, error: str | None = None,
         draft: str = "", thanked: bool = False) -> web.Response:
    reply_id = turns[-1].get("reply_id") if turns else None
    return render(
        request, "chat.html", status=400 if error else 200,
        lang=lang, t=ui(lang), texts={"sv": ui("sv"), "en": ui("en")},
        other_lang="en" if lang == "sv" else "sv",
        max_chars=request.app[settings_key].max_message_chars,
        other=ui("en" if lang == "sv" else "sv"),
        municipalities=loaded.knowledge.municipalities, municipality=municipality or "",
        turns=turns, context=json.dumps(context) if context else "", error=error, draft=draft,
        reply_id=reply_id, thanked=thanked,
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
    turns, context, now = await conversation(request, loaded, [message], municipality, lang,
                                       asked=True)
    return page(request, loaded, lang, now, turns, context)


async def _posted(request: web.Request) -> tuple[Loaded, object, str, str | None, list[str],
                                                 str | None, dict | None]:
    """What a /chat form sent: the form, language, municipality and the
    conversation its signed context carries."""
    loaded = request.app[holder_key].current
    settings = request.app[settings_key]
    try:
        form = await request.post()
    except ValueError as exc:  # not form data in UTF-8 (UnicodeDecodeError is a ValueError)
        raise web.HTTPBadRequest() from exc
    lang = lang_of(form.get("lang"))
    municipality = checked_municipality(form.get("municipality"), loaded, "drop")
    raw_context = form.get("context") or ""
    try:
        context = parse_json(raw_context) if isinstance(raw_context, str) and raw_context else None
        history, remembered, _ = read_context(request.app[secret_key], context,
                                              settings.max_message_chars)
    except (ValueError, ApiError) as exc:
        raise web.HTTPBadRequest() from exc
    remembered = checked_municipality(remembered, loaded, "drop")
    return loaded, form, lang, municipality, history, remembered, context


async def chat_post(request: web.Request) -> web.Response:
    settings = request.app[settings_key]
    loaded, form, lang, municipality, history, remembered, context = await _posted(request)
    message = form.get("message")  # type: ignore[attr-defined]
    muni = municipality or remembered
    if not isinstance(message, str) or not message.strip():
        turns = (await conversation(request, loaded, history, muni, lang))[0]
        return page(request, loaded, lang, muni, turns, context,
                    error=ui(lang)["ui_empty_message"])
    try:
        message = checked_message({"message": message}, settings.max_message_chars)
    except ApiError as exc:
        turns = (await conversation(request, loaded, history, muni, lang))[0]
        return page(request, loaded, lang, muni, turns, context, error=exc.message,
                    draft=message[: settings.max_message_chars])
    turns, new_context, now = await conversation(request, loaded, [*history, message], muni, lang,
                                           asked=True)
    return page(request, loaded, lang, now, turns, new_context)


async def chat_feedback(request: web.Request) -> web.Response:
    """The helpful / not helpful buttons of /chat: recorded like the API's feedback,
    then the same conversation again, with a thank-you."""
    loaded, form, lang, municipality, history, remembered, _ = await _posted(request)
    reply_id = form.get("reply_id")  # type: ignore[attr-defined]
    helpful = form.get("helpful")  # type: ignore[attr-defined]
    if not (isinstance(reply_id, str) and re.fullmatch(r"[0-9a-f]{32}", reply_id)
            and helpful in ("yes", "no")):
        raise web.HTTPBadRequest()
    record_feedback(request.app, reply_id, helpful == "yes")
    muni = municipality or remembered
    turns, context, now = await conversation(request, loaded, history, muni, lang)
    return page(request, loaded, lang, now, turns, context, thanked=True)


def setup(app: web.Application) -> None:
    app.router.add_get("/chat", chat_get, name="chat_page")
    app.router.add_post("/chat", chat_post, name="chat_page_post")
    app.router.add_post("/chat/feedback", chat_feedback, name="chat_feedback")
