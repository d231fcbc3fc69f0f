"""The counsellors' admin page at /admin: knowledge status and the report.

It exists only when `admin_token` is set; without one, /admin is a plain 404.
"""

from __future__ import annotations

from aiohttp import web

from ..keys import settings_key
from .views import admin_page, login, logout


def setup_admin(app: web.Application) -> None:
    if not app[settings_key].admin_token:
        return
    app.router.add_get("/admin", admin_page, name="admin")
    app.router.add_post("/admin/login", login, name="admin_login")
    app.router.add_post("/admin/logout", logout, name="admin_logout")
