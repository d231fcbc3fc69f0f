"""`/chat`: the chat as a plain page that works without JavaScript.

A form posts the learner's message with the conversation in a hidden field:
each earlier message with what its reply showed, signed (`PageTurns` in
conversation.py). The page draws the earlier replies from the knowledge with
`followups.restore()` and runs only the new message through the matcher, so a
long conversation costs one match, and the server keeps nothing per learner.
`/chat?q=...` links straight to an answer.
"""

from __future__ import annotations

import re
import uuid

from aiohttp import web

from ..holder import Loaded
from ..matcher.followups import Shown, restore
from ..matcher.reply import Reply
from ..records import record_feedback, record_reply
from ..render import reply_payload
from .api import checked_message, checked_municipality, parse_json, run_matcher
from .conversation import (
    MAX_HISTORY,
    PageTurn,
    kept_turns,
    make_page_turns,
    read_page_turns,
)
from .errors import ApiError
from .keys import holder_key, secret_key, settings_key
from .pagekit import lang_of, render, ui


class ConversationLost(Exception):
    """The form's conversation is not one this server gave (changed, unsigned, old)."""


def drawn(loaded: Loaded, turns: list[PageTurn]) -> list[dict]:
    """The earlier turns as the page shows them, from what each reply showed.

    A reply whose entries a knowledge edit removed is shown as gone (`reply` None),
    never answered again.
    """
    shown = []
    for turn in turns:
        reply = restore(turn.shown, loaded.knowledge)
        if reply is not None and reply.kind == "smalltalk" and reply.smalltalk is None:
            reply = None  # the small talk entry is gone from the knowledge
        shown.append({"message": turn.message,
                      "reply": reply_payload(reply, loaded.knowledge) if reply else None})
    return shown


async def answer(request: web.Request, loaded: Loaded, earlier: list[PageTurn], message: str,
                 municipality: str | None, lang: str) -> tuple[list[dict], str, str | None]:
    """The page's turns with the new message answered, the form's context to send
    back, and the municipality the conversation is in now.

    Only the new message meets the matcher, judged against the reply before it
    (as the API does with its context); its reply is recorded like the API's and
    gets an id for the helpful / not helpful buttons.
    """
    history = [t.message for t in earlier][-MAX_HISTORY:]
    shown = earlier[-1].shown if earlier else None
    reply: Reply = await run_matcher(request, loaded, [*history, message], municipality, lang,
                                     shown=shown)
    reply_id = uuid.uuid4().hex
    record_reply(request.app, reply, reply_id, message)
    turns = kept_turns([*earlier, PageTurn(message, Shown.of(reply))])
    shown_turns = drawn(loaded, turns[:-1])
    shown_turns.append({"message": message, "reply": reply_payload(reply, loaded.knowledge),
                        "reply_id": reply_id})
    return shown_turns, make_page_turns(request.app[secret_key], turns), reply.municipality


def page(request: web.Request, loaded: Loaded, lang: str, municipality: str | None,
         turns: list[dict], context: str, error: str | None = None,
         draft: str = "", thanked: bool = False, lost: bool = False) -> web.Response:
    reply_id = turns[-1].get("reply_id") if turns else None
    return render(
        request, "chat.html", status=400 if error or lost else 200,
        lang=lang, t=ui(lang), texts={"sv": ui("sv"), "en": ui("en")},
        other_lang="en" if lang == "sv" else "sv",
        max_chars=request.app[settings_key].max_message_chars,
        other=ui("en" if lang == "sv" else "sv"),
        municipalities=loaded.knowledge.municipalities, municipality=municipality or "",
        turns=turns, context=context, error=error, draft=draft,
        reply_id=reply_id, thanked=thanked, lost=lost,
    )


async def chat_get(request: web.Request) -> web.Response:
    loaded = request.app[holder_key].current
    lang = lang_of(request.query.get("lang"))
    municipality = checked_municipality(request.query.get("municipality"), loaded, "drop")
    question = request.query.get("q", "")
    if not question.strip():
        return page(request, loaded, lang, municipality, [], "")
    try:
        message = checked_message({"message": question},
                                  request.app[settings_key].max_message_chars)
    except ApiError as exc:
        return page(request, loaded, lang, municipality, [], "", error=exc.message)
    turns, context, now = await answer(request, loaded, [], message, municipality, lang)
    return page(request, loaded, lang, now, turns, context)


async def _posted(request: web.Request) -> tuple[Loaded, object, str, str | None,
                                                 list[PageTurn], str]:
    """What a /chat form sent: the form, language, municipality (the one chosen,
    else the conversation's), the earlier turns and the context as sent.

    Raises ConversationLost when the context is not one this server signed.
    """
    loaded = request.app[holder_key].current
    settings = request.app[settings_key]
    try:
        form = await request.post()
    except ValueError as exc:  # not form data in UTF-8 (UnicodeDecodeError is a ValueError)
        raise web.HTTPBadRequest() from exc
    lang = lang_of(form.get("lang"))
    municipality = checked_municipality(form.get("municipality"), loaded, "drop")
    raw = form.get("context") or ""
    if not isinstance(raw, str):
        raise web.HTTPBadRequest()  # a file upload where text belongs
    try:
        turns = read_page_turns(request.app[secret_key], parse_json(raw) if raw else None,
                                settings.max_message_chars)
    except ApiError as exc:
        raise ConversationLost() from exc
    if turns and municipality is None:
        municipality = checked_municipality(turns[-1].shown.municipality, loaded, "drop")
    return loaded, form, lang, municipality, turns, raw


def _lost(request: web.Request, form: object, lang: str, draft: str = "") -> web.Response:
    """400: the conversation cannot go on; a fresh page keeps what the learner typed."""
    loaded = request.app[holder_key].current
    municipality = checked_municipality(form.get("municipality"), loaded,  # type: ignore[attr-defined]
                                        "drop")
    max_chars = request.app[settings_key].max_message_chars
    return page(request, loaded, lang, municipality, [], "", draft=draft[:max_chars], lost=True)


async def _form(request: web.Request) -> tuple[object, str]:
    form = await request.post()  # read already by _posted: cached
    return form, lang_of(form.get("lang"))


async def chat_post(request: web.Request) -> web.Response:
    settings = request.app[settings_key]
    try:
        loaded, form, lang, muni, earlier, context = await _posted(request)
    except ConversationLost:
        form, lang = await _form(request)
        message = form.get("message")  # type: ignore[attr-defined]
        return _lost(request, form, lang, message if isinstance(message, str) else "")
    message = form.get("message")  # type: ignore[attr-defined]
    if not isinstance(message, str) or not message.strip():
        return page(request, loaded, lang, muni, drawn(loaded, earlier), context,
                    error=ui(lang)["ui_empty_message"])
    try:
        message = checked_message({"message": message}, settings.max_message_chars)
    except ApiError as exc:
        return page(request, loaded, lang, muni, drawn(loaded, earlier), context,
                    error=exc.message, draft=message[: settings.max_message_chars])
    turns, new_context, now = await answer(request, loaded, earlier, message, muni, lang)
    return page(request, loaded, lang, now, turns, new_context)


async def chat_feedback(request: web.Request) -> web.Response:
    """The helpful / not helpful buttons of /chat: recorded like the API's feedback,
    then the same conversation again (drawn, not answered again), with a thank-you."""
    try:
        loaded, form, lang, muni, turns, context = await _posted(request)
    except ConversationLost:
        form, lang = await _form(request)
        return _lost(request, form, lang)
    reply_id = form.get("reply_id")  # type: ignore[attr-defined]
    helpful = form.get("helpful")  # type: ignore[attr-defined]
    if not (isinstance(reply_id, str) and re.fullmatch(r"[0-9a-f]{32}", reply_id)
            and helpful in ("yes", "no")):
        raise web.HTTPBadRequest()
    record_feedback(request.app, reply_id, helpful == "yes")
    return page(request, loaded, lang, muni, drawn(loaded, turns), context, thanked=True)


def setup(app: web.Application) -> None:
    app.router.add_get("/chat", chat_get, name="chat_page")
    app.router.add_post("/chat", chat_post, name="chat_page_post")
    app.router.add_post("/chat/feedback", chat_feedback, name="chat_feedback")
