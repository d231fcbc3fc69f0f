"""The conversation context the client sends back: signed, so it cannot be forged.

The server keeps no state per learner; the context carries the learner's
earlier messages and municipality, what the last reply showed (its kind and
entry ids, municipality, school form and subject) and an HMAC over them with
the server's secret, so any process that shares the secret can continue the
conversation, and a follow-up is judged against what the learner saw.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import NamedTuple, get_args

from ..knowledge.model import CATEGORIES
from ..knowledge.values import ID_RE
from ..matcher.followups import Shown
from ..matcher.reply import ReplyKind
from .errors import ApiError

MAX_HISTORY = 3
MAX_SHOWN = 20  # ids and subject words a context may carry
_SHOWN_KEYS = {"kind", "ids", "municipality", "category", "subject", "lang"}
_INVALID = "`context` must be the object the previous reply gave."


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
    if not isinstance(shown, dict) or set(shown) != _SHOWN_KEYS:
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
    )


def _shown(shown: dict) -> Shown:
    return Shown(shown["kind"], tuple(shown["ids"]), shown["municipality"],
                 shown["category"], tuple(shown["subject"]), shown["lang"])
