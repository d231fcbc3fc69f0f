"""What every request passes before its handler: headers, rate limits, the whole body.

- Headers: `nosniff` and a `Cache-Control` on every response (`no-store` unless
  the handler chose one), and `Server: navguide` without versions.
- Rate limits per client and route (chat, feedback, admin sign-in), checked
  before anything else is done for the request: a refused one costs a
  dictionary look-up and answers 429 with `Retry-After`, in the error shape on
  /api/*, as the error page elsewhere. Refused messages are never recorded.
- The body is read whole, up to the limit, within `body_timeout` seconds,
  however it arrives (in pieces, chunked): 413 over the limit, 408 too slow.
  A client that goes away gets one log line, not a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web

from ..ratelimit import (
    Network,
    RateLimiter,
    SharedRateLimiter,
    client_of,
    parse_networks,
    retry_after,
    shared_limiter,
)
from ..settings import Settings
from .errors import ApiError
from .keys import settings_key

log = logging.getLogger(__name__)

SERVER = "navguide"
# Route names whose requests count against a limit, and the limit they count against.
LIMITED_ROUTES = {"chat": "chat", "chat_page_post": "chat", "feedback": "feedback",
                  "chat_feedback": "feedback",
                  "admin_login": "admin_login"}


@dataclass
class Limits:
    trusted: tuple[Network, ...]
    limiters: dict[str, RateLimiter | SharedRateLimiter]

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        per_minute = {"chat": settings.chat_per_minute,
                      "feedback": settings.feedback_per_minute,
                      "admin_login": settings.admin_login_per_minute}
        if settings.workers > 1:  # the app is made before the fork: workers count together
            limiters = {route: shared_limiter(route, n) for route, n in per_minute.items()}
        else:
            limiters = {route: RateLimiter(n) for route, n in per_minute.items()}
        return cls(parse_networks(settings.trusted_proxies), limiters)

    def client(self, request: web.Request) -> str:
        return client_of(request.remote, request.headers.get("X-Forwarded-For"), self.trusted)

    def check(self, request: web.Request, limit: str) -> None:
        """Raise the 429 when this client is over `limit`."""
        wait = self.limiters[limit].hit(self.client(request))
        if wait:
            seconds = retry_after(wait)
            if request.path.startswith("/api/"):
                raise ApiError(429, "rate_limited",
                               f"Too many requests; try again in {seconds} s.",
                               headers={"Retry-After": seconds})
            raise web.HTTPTooManyRequests(headers={"Retry-After": seconds})


limits_key = web.AppKey("limits", Limits)


async def read_body(request: web.Request) -> bytes:
    """The whole body, or a 408 / 413 error (see the module's docstring)."""
    settings = request.app[settings_key]
    limit = settings.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "body_too_large", f"The body is over {limit} bytes.")
    try:
        async with asyncio.timeout(settings.body_timeout):
            return await request.read()  # whole, checked against client_max_size
    except TimeoutError as exc:
        raise ApiError(408, "body_timeout",
                       f"The body did not arrive within {settings.body_timeout} s.") from exc
    except web.HTTPRequestEntityTooLarge as exc:
        raise ApiError(413, "body_too_large", f"The body is over {limit} bytes.") from exc


@web.middleware
async def guard_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """Rate limit, then read the body whole, then the handler."""
    route = getattr(request.match_info.route, "name", None)
    limit = LIMITED_ROUTES.get(route or "")
    if limit is not None:
        request.app[limits_key].check(request, limit)
    if request.body_exists and request.method in ("POST", "PUT", "PATCH"):
        try:
            await read_body(request)
        except ApiError as exc:
            if request.path.startswith("/api/"):
                raise
            if exc.status == 408:  # pages answer with the error page
                raise web.HTTPRequestTimeout() from exc
            limit = request.app[settings_key].max_body_bytes
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=limit + 1) from exc
        except (ConnectionError, asyncio.CancelledError, web.HTTPException):
            raise
    return await handler(request)


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: the headers every response carries."""
    headers = response.headers
    headers["Server"] = SERVER
    if response.status in (408, 413):
        response.force_close()  # the rest of the body is not worth waiting for
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Cache-Control", "no-store")


def setup_guard(app: web.Application) -> None:
    app[limits_key] = Limits.from_settings(app[settings_key])
    app.middlewares.append(guard_middleware)
    app.on_response_prepare.append(add_headers)
