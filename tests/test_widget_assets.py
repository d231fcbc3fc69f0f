"""The widget's assets read as text: size budget, no HTML from strings, no
storage, no third-party requests, and every text from the catalogue."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess

import pytest

from navguide.catalogue import catalogue
from navguide.server.pages import loader_source
from navguide.server.paths import web_root

WIDGET = web_root() / "widget"
TEMPLATES = web_root() / "templates"
LOADER_BUDGET = 3 * 1024
PANEL_BUDGET = 10 * 1024


def gzipped(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8"), compresslevel=9))


def code(text: str) -> str:
    """JavaScript or CSS without its comments."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$", "", text)


def panel_js() -> str:
    return (WIDGET / "panel.js").read_text(encoding="utf-8")


def assets() -> dict[str, str]:
    found = {"embed.js": loader_source()}
    for name in ("panel.js", "panel.css", "page.css"):
        found[name] = (WIDGET / name).read_text(encoding="utf-8")
    return found


def test_the_loader_is_at_most_3_kb_gzipped() -> None:
    assert gzipped(loader_source()) <= LOADER_BUDGET


def test_the_panel_js_and_css_are_at_most_10_kb_gzipped() -> None:
    css = (WIDGET / "panel.css").read_text(encoding="utf-8")
    assert gzipped(panel_js()) + gzipped(css) <= PANEL_BUDGET


@pytest.mark.parametrize("name", ["embed.js", "panel.js"])
def test_no_html_from_strings_and_no_eval(name: str) -> None:
    source = code(assets()[name])
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "setTimeout(\"", "srcdoc", "createContextualFragment"):
        assert sink not in source, f"{name} uses {sink}"
    assert not re.search(r"setAttribute\(\s*[\"']on", source)


def test_server_html_goes_only_through_the_safe_rebuild() -> None:
    # The one place HTML is parsed: the server's escaped `html` fields, rebuilt node by
    # node from a short list of tags by `rich()`; anything else goes in as text.
    source = code(panel_js())
    assert source.count("parseFromString(") == 1
    for use in re.finditer(r"\.html\b", source):
        line = source[source.rfind("\n", 0, use.start()) + 1 : source.find("\n", use.end())]
        assert re.search(r"rich\(\w+\.html\)|if \(\w+\.html\)", line), line
    tags = re.search(r"var TAGS = \{(.*?)\};", source).group(1)
    assert "SCRIPT" not in tags and "IMG" not in tags and "IFRAME" not in tags


def test_templates_mark_only_server_html_safe() -> None:
    for path in TEMPLATES.glob("*.html"):
        for use in re.finditer(r"\{\{(.*?)\}\}", path.read_text(encoding="utf-8")):
            if "safe" in use.group(1):
                assert re.fullmatch(r"\s*\w+\.html\|safe\s*", use.group(1)), (path, use.group(0))


@pytest.mark.parametrize("name", ["embed.js", "panel.js"])
def test_no_cookies_and_no_storage(name: str) -> None:
    source = code(assets()[name])
    for api in ("cookie", "localStorage", "sessionStorage", "indexedDB", "caches.",
                "serviceWorker"):
        assert api not in source, f"{name} uses {api}"


@pytest.mark.parametrize("name", ["embed.js", "panel.js", "panel.css", "page.css"])
def test_no_third_party_requests_and_no_web_fonts(name: str) -> None:
    source = code(assets()[name])
    assert not re.search(r"https?://", source), f"{name} names an outside address"
    assert "@font-face" not in source and "@import" not in source
    assert "url(" not in source


def test_both_sides_check_the_origin_of_every_message() -> None:
    loader, panel = code(assets()["embed.js"]), code(panel_js())
    assert "event.origin !== origin" in loader and "event.source !== frame.contentWindow" in loader
    assert "event.origin !== host" in panel and "event.source !== window.parent" in panel
    assert "postMessage({ navguide:" in loader and "postMessage({ navguide:" in panel
    assert not re.search(r"postMessage\([^)]*[\"']\*[\"']", loader + panel)


def test_motion_respects_reduced_motion() -> None:
    for name in ("embed.js", "panel.css"):
        assert "prefers-reduced-motion" in assets()[name]


def test_every_text_the_panel_shows_is_in_the_catalogue_in_both_languages() -> None:
    texts = catalogue()
    keys = set(re.findall(r'\bt\("(\w+)"', panel_js()))
    keys |= set(re.findall(r'"(ui_\w+)"', panel_js()))
    for path in TEMPLATES.glob("*.html"):
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'data-t(?:-label|-placeholder)?="(\w+)"', source))
        keys |= set(re.findall(r"\b(?:t|other|sv|en)\.(\w+)", source))
    keys.discard("html")
    assert keys
    for lang in ("sv", "en"):
        missing = keys - set(texts[lang])
        assert not missing, f"{lang} lacks {sorted(missing)}"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_loader_and_the_server_pick_the_same_text_colour() -> None:
    """The launcher picks its ink on the host page, before navguide sees the colour, so
    WCAG luminance is written twice: in embed.js and in embed_policy.py. One rule."""
    from navguide.server.embed_policy import parse_color, text_color

    source = (web_root() / "embed.js").read_text(encoding="utf-8")
    luminance = re.search(r"  function luminance\(hex\) \{.*?\n  \}", source, re.S)
    pick = re.search(r"var ink = (.*?);", source)
    assert luminance and pick
    colours = ["#005a8c", "#ffffff", "#000000", "#777777", "#767676", "#ff0000", "#00ff00",
               "#0000ff", "#ffcc00", "#e30613", "#2e7d32", "#abc", "#123", "#7f7f7f", "#808080"]
    script = luminance.group(0) + "\nvar out = [];\n" + "".join(
        f"var l = luminance({json.dumps(c)}); out.push({pick.group(1)});\n" for c in colours
    ) + "console.log(JSON.stringify(out));"
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    server = ["#fff" if text_color(parse_color(c)) == "#ffffff" else "#000"  # type: ignore[arg-type]
              for c in colours]
    assert json.loads(done.stdout) == server
