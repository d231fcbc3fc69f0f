"""Who may see /admin: whoever holds the configured token.

A script sends `Authorization: Bearer <token>`; a browser signs in once with a
form and then carries a cookie holding a random session id (see
records/sessions.py): a new one at every sign-in, ended by logout and after
`admin_session_hours`, kept in the record store so every process knows it.
The cookie is `Secure` when the request or the public URL is https. Token
comparisons are constant-time (`hmac.compare_digest`), and wrong tokens count
against the sign-in rate limit.
"""

from __future__ import annotations

import hmac
from typing import Literal

from aiohttp import web

from ...records.sessions import Sessions
from ..guard import limits_key
from ..keys import settings_key

COOKIE = "navguide_admin"

Access = Literal["ok", "none", "wrong"]
sessions_key = web.AppKey("admin_sessions", Sessions)


def token_matches(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


async def access(request: web.Request) -> Access:
    """"ok" with the right token or a live session, "wrong" with a wrong one, "none" without."""
    expected = request.app[settings_key].admin_token
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and token_matches(given.strip(), expected):
            return "ok"
        request.app[limits_key].check(request, "admin_login")  # guessing counts as signing in
        return "wrong"
    cookie = request.cookies.get(COOKIE)
    if cookie is not None:
        return "ok" if await request.app[sessions_key].alive(cookie) else "wrong"
    return "none"


def secure(request: web.Request) -> bool:
    return request.secure or request.app[settings_key].public_url.startswith("https://")


async def set_cookie(response: web.StreamResponse, request: web.Request) -> None:
    sessions = request.app[sessions_key]
    response.set_cookie(COOKIE, await sessions.start(), path="/admin", httponly=True,
                        samesite="Strict", secure=secure(request),
                        max_age=int(sessions.lifetime))


async def end_session(response: web.StreamResponse, request: web.Request) -> None:
    cookie = request.cookies.get(COOKIE)
    if cookie:
        await request.app[sessions_key].end(cookie)
    response.del_cookie(COOKIE, path="/admin")
