"""Typed keys for what the app holds."""

from __future__ import annotations

import jinja2
from aiohttp import web

from ..holder import KnowledgeHolder
from ..settings import Settings

settings_key = web.AppKey("settings", Settings)
holder_key = web.AppKey("holder", KnowledgeHolder)
templates_key = web.AppKey("templates", jinja2.Environment)
secret_key = web.AppKey("secret", bytes)
