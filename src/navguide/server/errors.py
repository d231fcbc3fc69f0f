"""Every error a request meets, made here only: JSON under /api/, an HTML page elsewhere.

The API's one shape is `{"error": {"code", "message"}}`; pages fail as a page in
both languages.
"""

from __future__ import annotations

import logging

from aiohttp import web

from .pagekit import render, ui

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers=headers)


def error_page(request: web.Request, status: int,
               headers: dict[str, str] | None = None) -> web.Response:
    key = ("ui_not_found" if status == 404 else "ui_busy" if status in (429, 503) else
           "ui_bad_request" if status < 500 else "ui_server_error")
    response = render(request, "error.html", status=status, status_code=status,
                      sv=ui("sv"), en=ui("en"), key=key)
    for name in ("Allow", "WWW-Authenticate", "Retry-After"):
        if headers and name in headers:
            response.headers[name] = headers[name]
    return response


_HTTP_CODES = {
    400: "bad_request", 404: "not_found", 405: "method_not_allowed", 408: "body_timeout",
    413: "body_too_large", 415: "unsupported_media_type", 429: "rate_limited",
    503: "busy",
}


def client_gone(request: web.Request, exc: BaseException) -> web.Response:
    """The answer to a client that went away mid-request: no one reads it, so one log line."""
    log.info("client went away during %s %s (%s)", request.method, request.path,
             type(exc).__name__)
    return error_response(400, "incomplete_body", "The request ended before its body did.")


@web.middleware
async def error_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    is_api = request.path.startswith("/api/")
    try:
        return await handler(request)
    except ApiError as exc:
        if is_api:
            return error_response(exc.status, exc.code, exc.message, exc.headers)
        return error_page(request, exc.status, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if is_api:
            code = _HTTP_CODES.get(exc.status, "http_error")
            kept = {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After")}
            return error_response(exc.status, code, exc.reason, kept)
        return error_page(request, exc.status, dict(exc.headers))
    except ConnectionError as exc:  # the client went away: one line, no traceback
        return client_gone(request, exc)
    except Exception:
        log.exception("error handling %s %s", request.method, request.path)
        if is_api:
            return error_response(500, "internal", "Something went wrong on our side.")
        return error_page(request, 500)
