"""Counsellor workflow: live reloads, records of what was asked, admin (issue 5)."""

from __future__ import annotations

from aiohttp import web


def setup_counsellor(app: web.Application) -> None:
    """Knowledge watching, the question records and the admin page."""
