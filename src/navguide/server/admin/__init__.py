"""The counsellors' admin page at /admin: knowledge status and the report.

It exists only when `admin_token` is set; without one, /admin is a plain 404.
"""

from __future__ import annotations

from aiohttp import web

from ...records import recorder_key, store_key
from ...records.sessions import Sessions
from ..keys import settings_key
from .auth import sessions_key
from .views import admin_page, login, logout


def setup_admin(app: web.Application) -> None:
    settings = app[settings_key]
    if not settings.admin_token:
        return
    recorder = app.get(recorder_key)
    # In the record store when there is one, so that every process sees the sign-ins.
    app[sessions_key] = Sessions(app.get(store_key), settings.admin_session_hours * 3600.0,
                                 ready=recorder.ensure_ready if recorder else None)
    app.router.add_get("/admin", admin_page, name="admin")
    app.router.add_post("/admin/login", login, name="admin_login")
    app.router.add_post("/admin/logout", logout, name="admin_logout")
