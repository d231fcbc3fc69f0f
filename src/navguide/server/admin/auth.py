"""Who may see /admin: whoever holds the configured token.

A script sends `Authorization: Bearer <token>`; a browser signs in once with a
form and then carries a cookie holding an HMAC of the token (never the token
itself). Every comparison is constant-time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

from aiohttp import web

from ..keys import secret_key, settings_key

COOKIE = "navguide_admin"

Access = Literal["ok", "none", "wrong"]


def token_matches(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def cookie_value(app: web.Application) -> str:
    token = app[settings_key].admin_token.encode()
    return hmac.new(app[secret_key], b"admin:" + token, hashlib.sha256).hexdigest()


def access(request: web.Request) -> Access:
    """"ok" with the right token or cookie, "wrong" with a wrong one, "none" without."""
    expected = request.app[settings_key].admin_token
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and token_matches(given.strip(), expected):
            return "ok"
        return "wrong"
    cookie = request.cookies.get(COOKIE)
    if cookie is not None:
        ok = hmac.compare_digest(cookie.encode(), cookie_value(request.app).encode())
        return "ok" if ok else "wrong"
    return "none"


def set_cookie(response: web.StreamResponse, request: web.Request) -> None:
    response.set_cookie(COOKIE, cookie_value(request.app), path="/admin", httponly=True,
                        samesite="Strict", secure=request.secure, max_age=8 * 3600)
