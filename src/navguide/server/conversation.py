"""The conversation context the client sends back: signed, so it cannot be forged.

The server keeps no state per learner; the context carries the learner's
earlier messages and municipality, and an HMAC over them with the server's
secret, so any process that shares the secret can continue the conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from .errors import ApiError

MAX_HISTORY = 3


def _signature(secret: bytes, messages: list[str], municipality: str | None) -> str:
    body = json.dumps([messages, municipality], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def make_context(secret: bytes, messages: list[str], municipality: str | None) -> dict:
    messages = messages[-MAX_HISTORY:]
    return {
        "messages": messages,
        "municipality": municipality,
        "sig": _signature(secret, messages, municipality),
    }


def read_context(secret: bytes, context: object, max_chars: int) -> tuple[list[str], str | None]:
    """The earlier messages and municipality of a context the client sent back."""
    if context is None:
        return [], None
    if not isinstance(context, dict) or set(context) != {"messages", "municipality", "sig"}:
        raise ApiError(400, "invalid_context",
                       "`context` must be the object the previous reply gave.")
    messages, municipality, sig = context["messages"], context["municipality"], context["sig"]
    if (
        not isinstance(messages, list)
        or len(messages) > MAX_HISTORY
        or not all(isinstance(m, str) and len(m) <= max_chars for m in messages)
        or not (municipality is None or isinstance(municipality, str))
        or not isinstance(sig, str)
    ):
        raise ApiError(400, "invalid_context",
                       "`context` must be the object the previous reply gave.")
    if not hmac.compare_digest(sig, _signature(secret, messages, municipality)):
        raise ApiError(400, "invalid_context", "`context` was changed or is from elsewhere.")
    return messages, municipality
