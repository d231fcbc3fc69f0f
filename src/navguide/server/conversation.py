"""The conversation context the client sends back: signed, so it cannot be forged.

The server keeps no state per learner; the context carries the learner's
earlier messages and municipality, what the last reply showed (its kind and
entry ids, municipality, school form and subject) and an HMAC over them with
the server's secret, so any process that shares the secret can continue the
conversation, and a follow-up is judged against what the learner saw.

/chat carries its conversation as `PageTurns`: each earlier message with what
its reply showed, signed the same way, so the page draws its history from the
knowledge (`followups.restore`) and runs only the new message through the
matcher.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import NamedTuple, get_args
from urllib.parse import quote_plus

from ..knowledge.model import CATEGORIES
from ..knowledge.values import ID_RE
from ..matcher.followups import Shown
from ..matcher.reply import ReplyKind
from .errors import ApiError

MAX_HISTORY = 3
MAX_SHOWN = 20  # ids and subject words a context may carry
_SHOWN_KEYS = {"kind", "ids", "municipality", "category", "subject", "lang"}
_SHOWN_OPTIONAL = {"centre", "focus", "talk"}  # contexts from before them still verify
_INVALID = "`context` must be the object the previous reply gave."
MAX_PAGE_TURNS = 8  # earlier turns /chat shows and carries
# Characters the /chat form's `context` may take, URL-encoded as a browser posts it:
# with a message of max_message_chars it stays under max_body_bytes (16 KiB).
PAGE_BUDGET = 9000


class Context(NamedTuple):
    messages: list[str]
    municipality: str | None
    shown: Shown | None


def _signature(secret: bytes, messages: list[str], municipality: str | None,
               shown: dict | None) -> str:
    signed: list[object] = [messages, municipality]
    if shown is not None:  # contexts from before `shown` existed still verify
        signed.append(shown)
    body = json.dumps(signed, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def make_context(secret: bytes, messages: list[str], municipality: str | None,
                 shown: Shown | None = None) -> dict:
    messages = messages[-MAX_HISTORY:]
    shown_dict = shown.as_dict() if shown else None
    context: dict[str, object] = {"messages": messages, "municipality": municipality}
    if shown_dict is not None:
        context["shown"] = shown_dict
    context["sig"] = _signature(secret, messages, municipality, shown_dict)
    return context


def _is_text(value: str) -> bool:
    """False for a string with a lone surrogate, which cannot be signed or shown."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_context(secret: bytes, context: object, max_chars: int) -> Context:
    """The earlier messages, municipality and last reply of a context sent back."""
    if context is None:
        return Context([], None, None)
    if not isinstance(context, dict) or set(context) - {"shown"} != {
        "messages", "municipality", "sig"
    }:
        raise ApiError(400, "invalid_context", _INVALID)
    messages, municipality, sig = context["messages"], context["municipality"], context["sig"]
    shown = context.get("shown")
    if (
        not isinstance(messages, list)
        or len(messages) > MAX_HISTORY
        or not all(isinstance(m, str) and len(m) <= max_chars for m in messages)
        or not (municipality is None or isinstance(municipality, str))
        or not isinstance(sig, str)
        or not (shown is None or _valid_shown(shown))
        or not re.fullmatch(r"[0-9a-f]{64}", sig)
        or not all(_is_text(m) for m in [*messages, municipality or ""])
    ):
        raise ApiError(400, "invalid_context", _INVALID)
    if not hmac.compare_digest(sig, _signature(secret, messages, municipality, shown)):
        raise ApiError(400, "invalid_context", "`context` was changed or is from elsewhere.")
    return Context(messages, municipality, _shown(shown) if shown is not None else None)


def _valid_shown(shown: object) -> bool:
    if not isinstance(shown, dict) or not _SHOWN_KEYS <= set(shown) <= (
        _SHOWN_KEYS | _SHOWN_OPTIONAL
    ):
        return False
    ids, subject = shown["ids"], shown["subject"]
    return (
        shown["kind"] in get_args(ReplyKind)
        and isinstance(ids, list) and len(ids) <= MAX_SHOWN
        and all(isinstance(i, str) and ID_RE.fullmatch(i) for i in ids)
        and (shown["municipality"] is None
             or (isinstance(shown["municipality"], str) and _is_text(shown["municipality"])))
        and (shown["category"] is None or shown["category"] in CATEGORIES)
        and isinstance(subject, list) and len(subject) <= MAX_SHOWN
        and all(isinstance(w, str) and len(w) <= 100 and _is_text(w) for w in subject)
        and shown["lang"] in ("sv", "en")
        and all(_is_id_or_none(shown.get(key)) for key in _SHOWN_OPTIONAL)
    )


def _is_id_or_none(value: object) -> bool:
    return value is None or (isinstance(value, str) and bool(ID_RE.fullmatch(value)))


def _shown(shown: dict) -> Shown:
    return Shown(shown["kind"], tuple(shown["ids"]), shown["municipality"],
                 shown["category"], tuple(shown["subject"]), shown["lang"],
                 shown.get("centre"), shown.get("focus"), shown.get("talk"))


# -- /chat: the turns of the page ------------------------------------------------------


class PageTurn(NamedTuple):
    message: str
    shown: Shown


def _page_signature(secret: bytes, turns: list[dict]) -> str:
    # "chat" first: a page's signature can never pass as an API context's, nor back.
    body = json.dumps(["chat", turns], ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True)
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def _page_json(turns: list[dict]) -> str:
    return json.dumps(turns, ensure_ascii=False, separators=(",", ":"))


def kept_turns(turns: list[PageTurn]) -> list[PageTurn]:
    """The turns a page goes on with: the last MAX_PAGE_TURNS, fewer when their
    messages are so long that the form would not fit its body limit."""
    kept = turns[-MAX_PAGE_TURNS:]
    while len(kept) > 1 and len(quote_plus(_page_json(
        [{"message": t.message, "shown": t.shown.as_dict()} for t in kept]
    ))) > PAGE_BUDGET:
        kept = kept[1:]
    return kept


def make_page_turns(secret: bytes, turns: list[PageTurn]) -> str:
    """The /chat form's hidden `context`: the turns (as `kept_turns` keeps them), signed."""
    data = [{"message": t.message, "shown": t.shown.as_dict()} for t in kept_turns(turns)]
    return json.dumps({"turns": data, "sig": _page_signature(secret, data)},
                      ensure_ascii=False, separators=(",", ":"))


def read_page_turns(secret: bytes, context: object, max_chars: int) -> list[PageTurn]:
    """The turns a /chat form sent back; an ApiError (400) when they are not the
    ones the page gave (changed, unsigned, from elsewhere or of another shape)."""
    if context is None:
        return []
    if not isinstance(context, dict) or set(context) != {"turns", "sig"}:
        raise ApiError(400, "invalid_context", _INVALID)
    turns, sig = context["turns"], context["sig"]
    if (
        not isinstance(turns, list) or len(turns) > MAX_PAGE_TURNS
        or not isinstance(sig, str) or not re.fullmatch(r"[0-9a-f]{64}", sig)
        or not all(
            isinstance(t, dict) and set(t) == {"message", "shown"}
            and isinstance(t["message"], str) and len(t["message"]) <= max_chars
            and _is_text(t["message"]) and _valid_shown(t["shown"])
            for t in turns
        )
    ):
        raise ApiError(400, "invalid_context", _INVALID)
    if not hmac.compare_digest(sig, _page_signature(secret, turns)):
        raise ApiError(400, "invalid_context", "`context` was changed or is from elsewhere.")
    return [PageTurn(t["message"], _shown(t["shown"])) for t in turns]
