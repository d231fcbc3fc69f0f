"""The app factory: `serve`, the tests and the benchmarks all build the app here."""

from __future__ import annotations

import logging
import secrets

import jinja2
from aiohttp import web

from ..holder import KnowledgeHolder, build
from ..matcher.prepare import preparation_for
from ..records import setup_records
from ..settings import Settings
from .admin import setup_admin
from .api import setup_api
from .errors import error_middleware
from .guard import setup_guard
from .keys import holder_key, secret_key, settings_key, templates_key
from .pages import setup_pages
from .paths import web_root
from .reload import setup_reload

log = logging.getLogger(__name__)


def setup_templates(app: web.Application) -> None:
    app[templates_key] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(web_root() / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def setup_secret(app: web.Application, settings: Settings) -> None:
    if settings.secret:
        app[secret_key] = settings.secret.encode()
    else:
        log.warning("no `secret` set: conversations only continue on this process")
        app[secret_key] = secrets.token_bytes(32)


def create_app(settings: Settings | None = None) -> web.Application:
    """The whole navguide app. Raises KnowledgeRejected if the knowledge has errors."""
    settings = settings or Settings()
    app = web.Application(
        middlewares=[error_middleware],
        client_max_size=settings.max_body_bytes,
        # After a 408 or 413, or a refused request, spend at most this long reading
        # the rest of a body before closing (aiohttp's default is 10 s per connection).
        handler_args={"lingering_time": 0.5},
    )
    app[settings_key] = settings
    app[holder_key] = KnowledgeHolder(build(settings.knowledge, preparation_for(settings)))
    setup_secret(app, settings)
    setup_templates(app)
    setup_api(app)
    setup_pages(app)
    setup_reload(app)  # knowledge watching
    setup_records(app)  # what was asked, for the report
    setup_admin(app)
    setup_guard(app)  # innermost: rate limits and the whole body, before any handler
    return app
