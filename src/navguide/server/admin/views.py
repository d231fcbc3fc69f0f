"""The /admin views: sign-in, and the page itself."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ...counsellor.report import SMALL_MARGIN, build_report, parse_since
from ...knowledge import errors
from ...records import StoreError, store_key
from ...records.store import hours_ago
from ..keys import holder_key, settings_key, templates_key
from .auth import access, end_session, set_cookie, token_matches

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}


def _page(request: web.Request, name: str, status: int = 200,
          **context: object) -> web.Response:
    html = request.app[templates_key].get_template(f"admin/{name}").render(**context)
    return web.Response(text=html, status=status, content_type="text/html",
                        charset="utf-8", headers=HEADERS)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    given = form.get("token")
    if isinstance(given, str) and token_matches(given, request.app[settings_key].admin_token):
        response = web.HTTPSeeOther(request.app.router["admin"].url_for())
        await set_cookie(response, request)
        raise response
    return _page(request, "login.html", 403, wrong=True)


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther(request.app.router["admin"].url_for())
    await end_session(response, request)
    raise response


async def admin_page(request: web.Request) -> web.Response:
    allowed = await access(request)
    if allowed != "ok":
        return _page(request, "login.html", 401 if allowed == "none" else 403,
                     wrong=allowed == "wrong")
    holder = request.app[holder_key]
    loaded = holder.current
    knowledge = loaded.knowledge
    since_text = request.query.get("since", "7d")
    municipality = request.query.get("municipality") or None
    if municipality and knowledge.municipality(municipality) is None:
        municipality = None
    report, problem = None, None
    try:
        since = hours_ago(parse_since(since_text))
    except (ValueError, OverflowError) as exc:  # OverflowError: "99999999999d"
        since, problem = hours_ago(24 * 7), str(exc)
        since_text = "7d"
    store = request.app.get(store_key)
    if store is not None:
        try:
            rows = await asyncio.to_thread(store.rows, since, municipality)
            report = build_report(rows, since, municipality, knowledge)
        except StoreError as exc:
            problem = f"Loggen går inte att läsa just nu: {exc}"
    return _page(
        request, "admin.html",
        knowledge=knowledge,
        warnings=[p for p in loaded.problems if p not in errors(loaded.problems)],
        rejected=holder.rejected,
        rejected_at=holder.rejected_at,
        report=report,
        recording=store is not None,
        settings=request.app[settings_key],
        since=since_text,
        municipality=municipality,
        problem=problem,
        small_margin=SMALL_MARGIN,
    )

