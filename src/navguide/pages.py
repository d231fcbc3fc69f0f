"""The pages: demo, widget panel, no-JavaScript chat, embed loader (issue 4)."""

from __future__ import annotations

from aiohttp import web


def setup_pages(app: web.Application) -> None:
    """Routes for the HTML pages and the widget's assets."""
