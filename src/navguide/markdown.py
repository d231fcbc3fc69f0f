"""The knowledge's Markdown subset to safe HTML.

Paragraphs, `-` lists, **bold** and [text](url) links. Everything else,
raw HTML included, is escaped and shown as text, never run.
"""

from __future__ import annotations

import re
from html import escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_SAFE_SCHEMES = ("https://", "http://", "mailto:", "tel:")


def _inline(text: str) -> str:
    out = []
    last = 0
    for match in _LINK.finditer(text):
        out.append(_bold(escape(text[last : match.start()])))
        label, url = match.group(1), match.group(2)
        if url.startswith(_SAFE_SCHEMES):
            out.append(f'<a href="{escape(url)}" rel="noopener" target="_blank">'
                       f"{_bold(escape(label))}</a>")
        else:
            out.append(_bold(escape(match.group(0))))
        last = match.end()
    out.append(_bold(escape(text[last:])))
    return "".join(out)


def _bold(escaped: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escaped)


def to_html(markdown: str) -> str:
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + _inline(" ".join(paragraph)) + "</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith(("- ", "* ")):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif items and raw.startswith((" ", "\t")):
            items[-1] += " " + line  # a list item continued on the next line
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "\n".join(blocks)


def to_text(markdown: str) -> str:
    """Markdown as plain text for terminals: links become `text (url)`."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", markdown)
    return _BOLD.sub(r"\1", text).strip()
