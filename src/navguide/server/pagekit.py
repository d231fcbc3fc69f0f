"""What the HTML pages share: rendering with the right headers, texts, origins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ..catalogue import LANGS, catalogue
from .embed_policy import origin_of
from .keys import settings_key, templates_key

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@dataclass(frozen=True)
class Embedding:
    origins: tuple[str, ...]
    widget_csp: str
    page_csp: str


embedding_key = web.AppKey("embedding", Embedding)


def lang_of(value: object) -> str:
    return value if value in LANGS else "sv"  # type: ignore[return-value]


def own_origin(request: web.Request) -> str:
    public = origin_of(request.app[settings_key].public_url)
    return public or f"{request.scheme}://{request.host}"


def render(request: web.Request, template: str, status: int = 200, csp: str | None = None,
           **context: Any) -> web.Response:
    html = request.app[templates_key].get_template(template).render(**context)
    response = web.Response(text=html, status=status, content_type="text/html")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Content-Security-Policy"] = csp or request.app[embedding_key].page_csp
    return response


def ui(lang: str) -> dict[str, str]:
    """The catalogue in one language, for templates: `t.ui_send`."""
    texts = catalogue()
    return {**texts["sv"], **texts[lang]}


