"""The pages without a browser: demo, widget page and its framing policy, the
no-JavaScript chat, error pages, the loader, and the colour and origin rules."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from support import settled

from navguide.server.app import create_app
from navguide.server.embed_policy import (
    allowed_origins,
    contrast,
    origin_of,
    parse_color,
    text_color,
)
from navguide.settings import Settings, SettingsError

KNOWLEDGE = Path(__file__).parent / "browser" / "data" / "knowledge"
SITE = "https://www.krokom.se"


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"knowledge": str(KNOWLEDGE), "watch": False, "record": False,
                                 "secret": "page-tests", "allowed_origins": [SITE]}
    return Settings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
async def pages(aiohttp_client):  # type: ignore[no-untyped-def]
    return await aiohttp_client(create_app(settings()))


def widget_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="navguide-config">(.*?)</script>',
                      html, re.S)
    assert found
    return json.loads(found.group(1))


# -- colours and origins ----------------------------------------------------------


@pytest.mark.parametrize("color", ["#ffffff", "#ffdd00", "#777777", "#767676", "#808080",
                                   "#005a8c", "#003366", "#ff0000", "#00ff00", "#000000"])
def test_the_text_colour_always_reads(color: str) -> None:
    assert contrast(color, text_color(color)) >= 4.5


def test_light_colours_get_black_text_and_dark_ones_white() -> None:
    assert text_color("#ffdd00") == "#000000"
    assert text_color("#003366") == "#ffffff"
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#005a8c", "#ffffff"), 2) == 7.39


def test_colours_are_parsed_strictly() -> None:
    assert parse_color("#ABC") == "#aabbcc"
    assert parse_color("#005A8C") == "#005a8c"
    for bad in ("red", "#12345", "005a8c", "#005a8c;background:url(x)", None, 3):
        assert parse_color(bad) is None


def test_origins() -> None:
    assert origin_of("https://www.Krokom.se/page?x=1") == "https://www.krokom.se"
    assert origin_of("http://localhost:8080") == "http://localhost:8080"
    assert origin_of("https://example.org:443") == "https://example.org"
    for bad in ("javascript:alert(1)", "ftp://x.se", "null", "", None, "https://"):
        assert origin_of(bad) is None
    assert allowed_origins(settings(allowed_origins=["https://a.se", "http://b.se:81/"])) == (
        "https://a.se", "http://b.se:81")


@pytest.mark.parametrize("bad", ["www.krokom.se", "https://krokom.se/vux", "*"])
def test_a_configured_origin_that_is_not_one_stops_the_app(bad: str) -> None:
    with pytest.raises(SettingsError, match="allowed_origins"):
        create_app(settings(allowed_origins=[bad]))


# -- the widget page and its framing policy -----------------------------------------


async def test_the_widget_may_be_framed_only_by_allowed_sites(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/widget")
    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {SITE}" in csp
    assert "script-src 'self';" in csp and "default-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers


async def test_no_allowed_origins_means_navguide_alone(aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(settings(allowed_origins=[])))
    response = await client.get("/widget")
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")


async def test_the_widget_page_carries_its_settings_and_texts(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/widget", params={
        "municipality": "krokom", "lang": "en", "color": "#ffdd00", "origin": SITE})
    html = await response.text()
    assert '<html lang="en">' in html
    config = widget_config(html)
    assert config["municipality"] == "krokom"
    assert config["hostOrigin"] == SITE
    assert (config["color"], config["colorText"]) == ("#ffdd00", "#000000")
    assert config["warnings"] == []
    assert config["texts"]["sv"]["ui_send"] == "Skicka"
    assert config["texts"]["en"]["ui_send"] == "Send"
    assert set(config["texts"]["sv"]) == set(config["texts"]["en"])


async def test_the_widget_page_warns_about_bad_attributes(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/widget", params={
        "municipality": "atlantis", "lang": "xx", "color": "blue",
        "origin": "https://elsewhere.example"})
    config = widget_config(await response.text())
    assert (config["municipality"], config["lang"], config["color"]) == (None, "sv", "#005a8c")
    assert config["hostOrigin"] is None
    assert len(config["warnings"]) == 3
    assert "use one of: krokom, ostersund" in config["warnings"][0]


async def test_the_widget_config_cannot_break_out_of_its_script(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/widget", params={"municipality": "</script><script>x()"})
    html = await response.text()
    assert "</script><script>x()" not in html
    assert widget_config(html)["warnings"]


# -- the loader ---------------------------------------------------------------------------


async def test_the_loader_gets_its_texts_from_the_catalogue(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/embed.js")
    assert response.status == 200
    assert response.content_type == "text/javascript"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    source = await response.text()
    assert "/*texts*/" not in source
    assert '"open":"Fr\\u00e5ga om studier"' in source
    assert '"open":"Ask about studies"' in source


async def test_assets_are_served_and_nothing_else(pages) -> None:  # type: ignore[no-untyped-def]
    for name, kind in (("panel.js", "text/javascript"), ("panel.css", "text/css"),
                       ("page.css", "text/css")):
        response = await pages.get(f"/widget/{name}")
        assert (response.status, response.content_type) == (200, kind)
    for name in ("..%2Fembed.js", "nope.js", "%2e%2e%2f%2e%2e%2fpyproject.toml"):
        response = await pages.get(f"/widget/{name}")
        assert response.status == 404


# -- the demo page -----------------------------------------------------------------------


async def test_the_demo_page_builds_the_snippet(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/", params={"municipality": "krokom", "color": "#ffdd00"})
    assert response.status == 200
    html = await response.text()
    host = f"http://{pages.server.host}:{pages.server.port}"
    snippet = (f'<script src="{host}/embed.js" data-municipality="krokom" data-lang="sv" '
               'data-color="#ffdd00" defer></script>')
    assert snippet in unescape(html)
    assert ('<script src="/embed.js" data-municipality="krokom" data-lang="sv" '
            'data-color="#ffdd00" defer></script>') in html
    assert "Knappens text blir svart" in html
    assert '<option value="ostersund">Östersund</option>' in html


async def test_the_demo_page_ignores_what_it_does_not_know(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/", params={"municipality": "x\"><b>", "color": "red",
                                            "lang": "fi"})
    html = await response.text()
    assert 'data-lang="sv" data-color="#005a8c"' in html
    assert "data-municipality" not in html
    assert "<b>" not in html


async def test_the_demo_page_uses_the_public_url(aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(settings(public_url="https://chat.example.se/")))
    html = unescape(await (await client.get("/")).text())
    assert '<script src="https://chat.example.se/embed.js"' in html


# -- the chat page without JavaScript --------------------------------------------------


def hidden_context(html: str) -> str:
    found = re.search(r'name="context" value="([^"]*)"', html)
    assert found
    return unescape(found.group(1))


async def test_a_linked_question_is_answered(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/chat", params={"q": "Hur söker jag till komvux?"})
    assert response.status == 200
    html = await response.text()
    assert "<strong>Söka till komvux</strong>" in html
    assert 'href="https://www.skolverket.se/komvux"' in html
    assert "<script" not in html
    turns = json.loads(hidden_context(html))["turns"]
    assert [t["message"] for t in turns] == ["Hur söker jag till komvux?"]
    assert turns[0]["shown"]["ids"] == ["komvux-ansokan"]


async def test_the_conversation_continues_through_the_form(pages) -> None:  # type: ignore[no-untyped-def]
    html = await (await pages.get("/chat", params={"q": "Hur söker jag till komvux?"})).text()
    response = await pages.post("/chat", data={
        "message": "Var ligger lärcentrum?", "context": hidden_context(html),
        "municipality": "krokom", "lang": "sv"})
    assert response.status == 200
    html = await response.text()
    assert html.count('class="msg me"') == 2
    assert "Söka till komvux" in html
    assert 'href="tel:064012345"' in html
    assert 'href="mailto:larcentrum@krokom.example"' in html
    assert '<option value="krokom" selected>' in html


async def test_suggestions_are_buttons_that_post(pages) -> None:  # type: ignore[no-untyped-def]
    html = await (await pages.get("/chat", params={"q": "Hur söker jag till komvux?"})).text()
    assert '<button type="submit" name="message" value="Vad är SFI?">Vad är SFI?</button>' in html


async def test_a_changed_context_is_a_clear_400_that_keeps_the_question(pages) -> None:  # type: ignore[no-untyped-def]
    html = await (await pages.get("/chat", params={"q": "Hur söker jag till komvux?"})).text()
    context = json.loads(hidden_context(html))
    turn = context["turns"][0]
    api = (await (await pages.post("/api/chat", json={"message": "Vad är SFI?"})).json())
    forged = [
        dict(context, turns=[dict(turn, message="något annat")]),
        dict(context, turns=[dict(turn, shown=dict(turn["shown"], ids=["sfi"]))]),
        dict(context, turns=[dict(turn, shown=dict(turn["shown"], talk="greeting"))]),
        {"turns": context["turns"]},  # no signature
        dict(context, sig="0" * 64),
        dict(context, turns=[turn] * 9),  # more than a page carries
        api["context"],  # the API's context is no page's
    ]
    for sent in [*(json.dumps(f) for f in forged), "{not json", "[" * 3000]:
        response = await pages.post("/chat", data={"message": "Och CSN?", "context": sent,
                                                   "lang": "sv"})
        assert response.status == 400, sent
        assert response.content_type == "text/html"
        body = await response.text()
        assert "Samtalet kunde inte fortsätta" in body and 'role="alert"' in body
        assert 'value="Och CSN?"' in body  # the question is kept, to send again
        assert 'class="msg me"' not in body  # nothing of the forged conversation shown
        assert hidden_context_or_none(body) == ""
    response = await pages.post("/chat/feedback", data={
        "reply_id": "a" * 32, "helpful": "yes", "context": json.dumps(forged[0]),
        "lang": "en"})
    assert response.status == 400
    assert "The conversation could not go on" in await response.text()


def hidden_context_or_none(html: str) -> str | None:
    found = re.search(r'name="context" value="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


def counted(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Every call of the app's matcher (its own recursive ones too), as the messages."""
    from navguide.server.keys import holder_key

    matcher = app[holder_key].current.matcher
    real = matcher.reply
    calls: list[list[str]] = []

    def counting(messages, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(list(messages))
        return real(messages, *args, **kwargs)

    matcher.reply = counting
    return calls


def bot_replies(html: str) -> list[str]:
    """Each bot reply of the page as drawn (without the buttons under the last one)."""
    found = re.findall(r'<li class="msg bot[^"]*"[^>]*>(.*?)</li>\n(?=<li|</ol>)', html, re.S)
    return [re.split(r'<div class="sugg|<form |<p class="thanks', r)[0].strip() for r in found]


async def test_earlier_turns_are_drawn_from_what_they_showed_not_matched_again(
        aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings())
    client = await aiohttp_client(app)
    await settled(app)
    calls = counted(app)
    asked = [("hej", ""), ("Jag vill prata med en människa", ""), ("Krokom", "krokom"),
             ("Hur söker jag till komvux?", "")]
    html = await (await client.get("/chat", params={"q": asked[0][0]})).text()
    assert calls == [["hej"]]
    first_drawn = bot_replies(html)
    for message, municipality in asked[1:]:
        calls.clear()
        response = await client.post("/chat", data={
            "message": message, "municipality": municipality, "lang": "sv",
            "context": hidden_context(html)})
        assert response.status == 200
        html = await response.text()
        assert len(calls) == 1 and calls[0][-1] == message  # the new message only
        first_drawn.append(bot_replies(html)[-1])
        assert bot_replies(html) == first_drawn  # every earlier reply as it was shown
    assert html.count('class="msg me"') == 4
    for message, _ in asked:
        assert f"</span> {message}</li>" in html
    assert "Hej! Vad vill du veta" in html  # small talk, drawn again
    assert "Prata med en vägledare" in html  # the hand-off card, drawn again
    assert "Lärcentrum Krokom" in html
    assert "<strong>Söka till komvux</strong>" in html
    calls.clear()
    reply_id = re.search(r'name="reply_id" value="([0-9a-f]{32})"', html).group(1)  # type: ignore[union-attr]
    thanked = await (await client.post("/chat/feedback", data={
        "reply_id": reply_id, "helpful": "yes", "context": hidden_context(html),
        "lang": "sv"})).text()
    assert calls == []  # feedback draws the conversation without matching anything
    assert bot_replies(thanked) == first_drawn
    assert "Tack för ditt svar!" in thanked


async def test_a_reply_whose_entries_are_gone_is_said_to_be_gone(pages) -> None:  # type: ignore[no-untyped-def]
    from navguide.matcher.followups import Shown
    from navguide.server.conversation import PageTurn, make_page_turns

    context = make_page_turns(b"page-tests", [
        PageTurn("Hur söker jag till komvux?", Shown("topic", ("removed-topic",))),
        PageTurn("hej", Shown("smalltalk", talk="no-such-talk"))])
    response = await pages.post("/chat", data={"message": "Vad är SFI?", "context": context,
                                               "lang": "sv"})
    assert response.status == 200
    html = await response.text()
    assert html.count("Det här svaret finns inte längre") == 2
    assert html.count('class="msg me"') == 3
    assert "SFI" in bot_replies(html)[-1]


def test_a_page_carries_at_most_what_fits_the_form() -> None:
    from urllib.parse import quote_plus

    from navguide.matcher.followups import Shown
    from navguide.server.conversation import (
        MAX_PAGE_TURNS,
        PageTurn,
        kept_turns,
        make_page_turns,
    )

    short = [PageTurn(f"fråga {n}", Shown("topic", ("komvux-ansokan",))) for n in range(12)]
    assert kept_turns(short) == short[-MAX_PAGE_TURNS:]
    long = [PageTurn("å" * 1000, Shown("topic", ("komvux-ansokan",))) for _ in range(5)]
    kept = kept_turns(long)
    assert 1 <= len(kept) < 5
    body = (f"context={quote_plus(make_page_turns(b's', long))}&lang=sv&municipality=krokom"
            f"&message={quote_plus('ö' * 1000)}")
    assert len(body) < Settings().max_body_bytes  # the next question still fits


async def test_an_empty_question_is_explained(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.post("/chat", data={"message": "  ", "lang": "en"})
    assert response.status == 400
    html = await response.text()
    assert 'aria-invalid="true" aria-describedby="message-error"' in html
    assert "Please type a question first." in html


async def test_a_too_long_question_is_kept_and_explained(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/chat", params={"q": "a" * 1001})
    assert response.status == 400
    assert "over 1000 characters" in await response.text()


async def test_english_page(pages) -> None:  # type: ignore[no-untyped-def]
    html = await (await pages.get("/chat", params={"lang": "en"})).text()
    assert '<html lang="en">' in html
    assert ">Send</button>" in html
    assert 'lang="sv">Svenska</a>' in html


async def test_knowledge_html_is_shown_as_text_on_the_chat_page(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/chat", params={
        "q": '<img src=x onerror="alert(1)"> Visa den farliga texten'})
    html = await response.text()
    assert "<script>window" not in html and "<img" not in html
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


# -- errors -------------------------------------------------------------------------------


async def test_pages_fail_as_html_and_the_api_as_json(pages) -> None:  # type: ignore[no-untyped-def]
    response = await pages.get("/no-such-page")
    assert response.status == 404
    assert response.content_type == "text/html"
    html = await response.text()
    assert "Sidan finns inte." in html and "The page does not exist." in html
    response = await pages.put("/chat")
    assert response.status == 405
    assert "Allow" in response.headers
    assert "Det gick inte att läsa det som skickades." in await response.text()
    response = await pages.get("/api/no-such-thing")
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"


async def test_feedback_is_accepted(pages) -> None:  # type: ignore[no-untyped-def]
    reply = await (await pages.post("/api/chat", json={"message": "Vad är SFI?"})).json()
    response = await pages.post("/api/feedback",
                                json={"reply_id": reply["reply_id"], "helpful": False})
    assert response.status == 200
    assert await response.json() == {"ok": True}
    response = await pages.post("/api/feedback", json={"reply_id": "x", "helpful": "yes"})
    assert response.status == 400


async def test_navguide_itself_may_frame_the_widget(aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(settings(public_url="https://chat.example.se")))
    own = f"http://{client.server.host}:{client.server.port}"
    for origin in ("https://chat.example.se", own):
        response = await client.get("/widget", params={"origin": origin})
        assert widget_config(await response.text())["hostOrigin"] == origin


async def test_an_unexpected_error_is_a_plain_500_page(aiohttp_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from navguide.server.keys import holder_key

    app = create_app(settings())

    def boom(*args: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(app[holder_key].current.matcher, "reply", boom)
    client = await aiohttp_client(app)
    response = await client.get("/chat", params={"q": "Vad är SFI?"})
    assert response.status == 500
    html = await response.text()
    assert "Ett fel uppstod hos oss." in html and "secret detail" not in html


async def test_the_chat_page_renders_small_talk_with_buttons(pages) -> None:  # type: ignore[no-untyped-def]
    html = await (await pages.get("/chat", params={"q": "hej"})).text()
    assert "Hej! Vad vill du veta" in html
    assert "Det kan jag tyvärr" not in html
    assert html.count('<button type="submit" name="message"') >= 1


async def test_the_chat_page_offers_municipalities_and_keeps_the_choice(pages) -> None:  # type: ignore[no-untyped-def]
    html = await (await pages.get("/chat", params={"q": "Jag vill prata med en människa"})).text()
    assert 'role="group" aria-label="Välj din kommun"' in html
    assert '<input type="hidden" name="municipality" value="krokom">' in html
    response = await pages.post("/chat", data={
        "message": "Krokom", "municipality": "krokom", "context": hidden_context(html),
        "lang": "sv"})
    html = await response.text()
    assert "Lärcentrum Krokom" in html
    assert '<option value="krokom" selected>' in html  # kept for the next question
    response = await pages.post("/chat", data={
        "message": "Var kan jag skriva min tenta?", "context": hidden_context(html),
        "municipality": "", "lang": "sv"})
    html = await response.text()
    assert '<option value="krokom" selected>' in html
    assert html.count("Lärcentrum Krokom") >= 2


async def test_the_chat_page_has_helpful_buttons(pages) -> None:  # type: ignore[no-untyped-def]
    html = await (await pages.get("/chat", params={"q": "Hur söker jag till komvux?"})).text()
    found = re.search(r'name="reply_id" value="([0-9a-f]{32})"', html)
    assert found and "Var svaret till hjälp?" in html
    response = await pages.post("/chat/feedback", data={
        "reply_id": found.group(1), "helpful": "yes", "context": hidden_context(html),
        "lang": "sv", "municipality": ""})
    assert response.status == 200
    html = await response.text()
    assert "Tack för ditt svar!" in html
    assert "<strong>Söka till komvux</strong>" in html  # the same conversation
    bad = await pages.post("/chat/feedback", data={"reply_id": "x", "helpful": "yes"})
    assert bad.status == 400


async def test_every_page_has_an_icon(pages) -> None:  # type: ignore[no-untyped-def]
    for path in ("/favicon.ico", "/favicon.svg"):
        response = await pages.get(path)
        assert response.status == 200
        assert response.content_type == "image/svg+xml"
        assert (await response.text()).startswith("<svg")
    for page in ("/", "/chat", "/widget"):
        assert '<link rel="icon" href="/favicon.svg"' in await (await pages.get(page)).text()


def selected_municipality(html: str) -> str | None:
    found = re.search(r'<option value="([a-z-]+)" selected>', html)
    return found.group(1) if found else None


async def test_the_chat_page_keeps_the_municipality(pages) -> None:  # type: ignore[no-untyped-def]
    first = await (await pages.get("/chat?municipality=krokom&q=Hur+söker+jag+till+komvux")).text()
    assert selected_municipality(first) == "krokom"
    context = re.search(r'name="context" value="([^"]*)"', first).group(1)  # type: ignore[union-attr]
    second = await (await pages.post("/chat", data={
        "message": "Hur söker jag till komvux?", "municipality": "krokom",
        "context": html_unescape(context), "lang": "sv"})).text()
    assert selected_municipality(second) == "krokom"
    # a place named in the conversation is the one the next question is asked for
    named = await (await pages.post("/chat", data={
        "message": "Jag bor i Brunflo, var kan jag plugga?", "lang": "sv"})).text()
    assert selected_municipality(named) == "ostersund"


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)
