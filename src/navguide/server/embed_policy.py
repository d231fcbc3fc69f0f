"""Who may embed the widget, and the colours it is drawn in.

The widget page says which sites may frame it with `Content-Security-Policy:
frame-ancestors`: navguide's own pages (`'self'`) and the configured
`allowed_origins`. A web team's `data-color` gets a text colour picked so
the two contrast at least 4.5:1 (WCAG 2.1, 1.4.3).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..settings import Settings, SettingsError

DEFAULT_COLOR = "#005a8c"
_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})")
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")


def origin_of(url: object) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, lower-cased, or None when it is not one."""
    if not isinstance(url, str) or not url or len(url) > 300:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    if ":" in host:
        host = f"[{host.strip('[]')}]"
    default_port = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def allowed_origins(settings: Settings) -> tuple[str, ...]:
    """The configured origins, checked; a setting that is not an origin is an error."""
    found = []
    for value in settings.allowed_origins:
        origin = origin_of(value)
        if origin is None or origin.rstrip("/") != value.strip().rstrip("/").lower():
            raise SettingsError(
                f"allowed_origins: {value!r} is not an origin; write it as "
                "scheme://host[:port], e.g. https://www.krokom.se")
        found.append(origin)
    return tuple(dict.fromkeys(found))


def frame_ancestors(origins: tuple[str, ...]) -> str:
    return " ".join(["frame-ancestors 'self'", *origins])


def widget_csp(origins: tuple[str, ...]) -> str:
    """The widget page's policy: its own scripts, styles and API only, framed where allowed."""
    return ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            "img-src 'self'; base-uri 'none'; form-action 'self'; " + frame_ancestors(origins))


def page_csp(origins: tuple[str, ...]) -> str:
    """The demo, chat and error pages: everything from navguide itself."""
    return ("default-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; " + frame_ancestors(origins))


def parse_color(value: object) -> str | None:
    """A `#rgb` or `#rrggbb` colour as `#rrggbb`, or None."""
    if not isinstance(value, str) or not _HEX.fullmatch(value.strip().lower()):
        return None
    digits = value.strip().lower()[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of a `#rrggbb` colour."""
    channels = []
    for i in (1, 3, 5):
        c = int(color[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color(background: str) -> str:
    """Black or white, whichever reads better on `background` (always at least 4.5:1)."""
    white, black = "#ffffff", "#000000"
    return white if contrast(background, white) >= contrast(background, black) else black
