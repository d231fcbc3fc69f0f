"""Counsellor workflow: live reloads, records of what was asked, admin (issue 5)."""

from __future__ import annotations

from aiohttp import web

from ..records import setup_records
from .admin import setup_admin
from .reload import setup_reload


def setup_counsellor(app: web.Application) -> None:
    """Knowledge watching, the question records and the admin page."""
    setup_reload(app)
    setup_records(app)
    setup_admin(app)
