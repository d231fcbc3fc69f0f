"""The pages: demo, widget panel, no-JavaScript chat, embed loader (issue 4).

`/embed.js` is the only thing a host page loads until the learner opens the
chat; the loader then frames `/widget`, whose page sends
`Content-Security-Policy: frame-ancestors` so only allowed sites can embed it.
"""

from __future__ import annotations

import json

from aiohttp import web

from ..catalogue import LANGS, catalogue, say
from ..knowledge.schema import knowledge_schema
from . import chat_page
from .embed_policy import (
    DEFAULT_COLOR,
    allowed_origins,
    contrast,
    origin_of,
    page_csp,
    parse_color,
    text_color,
    widget_csp,
)
from .keys import holder_key, settings_key
from .pagekit import (
    SECURITY_HEADERS,
    Embedding,
    embedding_key,
    lang_of,
    own_origin,
    render,
    ui,
)
from .paths import web_root

# Catalogue texts the panel needs besides the `ui_*` ones: the labels on its cards.
CARD_KEYS = ("address", "hours", "phone", "email", "web", "start", "start_rolling",
             "apply_by", "distance", "on_site", "place", "length", "pace", "read_more",
             "courses_intro", "handoff", "handoff_centre", "handoff_no_place")
LOADER_KEYS = {"open": "ui_launcher", "title": "ui_frame_title"}
ASSETS = {"panel.js": "text/javascript", "panel.css": "text/css", "page.css": "text/css"}
def widget_texts() -> dict[str, dict[str, str]]:
    """Per language, every catalogue text the panel shows."""
    texts = catalogue()
    return {lang: {k: v for k, v in texts[lang].items()
                   if k.startswith("ui_") or k in CARD_KEYS} for lang in LANGS}


async def demo(request: web.Request) -> web.Response:
    """A municipality's page with the widget on it, and a snippet builder for web teams."""
    knowledge = request.app[holder_key].current.knowledge
    query = request.query
    municipality = query.get("municipality") or ""
    if knowledge.municipality(municipality) is None:
        municipality = ""
    lang = lang_of(query.get("lang"))
    color = parse_color(query.get("color")) or DEFAULT_COLOR
    attrs = [("data-municipality", municipality)] if municipality else []
    attrs += [("data-lang", lang), ("data-color", color)]
    foreground = text_color(color)
    return render(
        request, "demo.html",
        municipalities=knowledge.municipalities, municipality=municipality,
        lang=lang, color=color, attrs=attrs, base=own_origin(request),
        foreground="vit" if foreground == "#ffffff" else "svart",
        ratio=f"{contrast(color, foreground):.1f}".replace(".", ","),
    )


async def widget(request: web.Request) -> web.Response:
    """The chat panel, framed by the loader; its texts and settings travel as JSON."""
    knowledge = request.app[holder_key].current.knowledge
    embedding = request.app[embedding_key]
    query = request.query
    warnings = []
    lang = lang_of(query.get("lang"))
    municipality = query.get("municipality") or None
    if municipality and knowledge.municipality(municipality) is None:
        known = ", ".join(m.id for m in knowledge.municipalities)
        warnings.append(f"data-municipality {municipality!r} is unknown; use one of: {known}.")
        municipality = None
    color = parse_color(query.get("color"))
    if query.get("color") and color is None:
        warnings.append(f"data-color {query['color']!r} is not a colour like #005a8c.")
    color = color or DEFAULT_COLOR
    host = origin_of(query.get("origin"))
    navguide = {own_origin(request), f"{request.scheme}://{request.host}"}
    if host and host not in embedding.origins and host not in navguide:
        warnings.append(f"{host} is not in navguide's allowed_origins; ask its admin to add it.")
        host = None
    config = {
        "lang": lang, "municipality": municipality, "hostOrigin": host,
        "color": color, "colorText": text_color(color),
        "texts": widget_texts(), "warnings": warnings,
    }
    return render(request, "widget.html", csp=embedding.widget_csp,
                  lang=lang, t=ui(lang), other=ui("en" if lang == "sv" else "sv"),
                  config=config, max_chars=request.app[settings_key].max_message_chars)


def loader_source() -> str:
    """`embed.js` with the launcher's texts from the catalogue filled in."""
    source = (web_root() / "embed.js").read_text(encoding="utf-8")
    texts = {lang: {name: say(lang, key) for name, key in LOADER_KEYS.items()}
             for lang in LANGS}
    return source.replace("/*texts*/{}", json.dumps(texts, separators=(",", ":")), 1)


async def loader(request: web.Request) -> web.Response:
    response = web.Response(text=loader_source(), content_type="text/javascript")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "public, max-age=300, stale-while-revalidate=3600"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


async def asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in ASSETS:
        raise web.HTTPNotFound()
    response = web.Response(
        text=(web_root() / "widget" / name).read_text(encoding="utf-8"),
        content_type=ASSETS[name])
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


async def favicon(request: web.Request) -> web.Response:
    """navguide's icon; browsers ask for /favicon.ico on every page, whatever the link says."""
    response = web.Response(text=(web_root() / "favicon.svg").read_text(encoding="utf-8"),
                            content_type="image/svg+xml")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


async def schema(request: web.Request) -> web.Response:
    """The knowledge format's JSON Schema, for editors (as `navguide schema` prints it)."""
    response = web.json_response(knowledge_schema(), dumps=_pretty)
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # editors fetch it from anywhere
    return response


def _pretty(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def setup_pages(app: web.Application) -> None:
    """Routes for the HTML pages and the widget's assets."""
    origins = allowed_origins(app[settings_key])
    app[embedding_key] = Embedding(origins, widget_csp(origins), page_csp(origins))
    app.router.add_get("/", demo, name="demo")
    app.router.add_get("/widget", widget, name="widget")
    app.router.add_get("/widget/{name}", asset, name="widget_asset")
    app.router.add_get("/embed.js", loader, name="embed")
    app.router.add_get("/schema.json", schema, name="schema")
    app.router.add_get("/favicon.svg", favicon, name="favicon")
    app.router.add_get("/favicon.ico", favicon)
    chat_page.setup(app)
