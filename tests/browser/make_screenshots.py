"""Take the docs' screenshots: `python tests/browser/make_screenshots.py [widget|states|chat]`.

Uses the starter knowledge in knowledge/ and the same servers and Chromium
as the browser tests. `widget` writes docs/screenshots/widget-desktop.png,
widget-phone.png, widget-zoom-400.png (a 1280x800 window at 400 % zoom) and
widget-forced-colors.png (Windows high contrast), and `widget` or `states`
widget-municipality-choice.png (after small talk, asking for a person with
no municipality known: the hand-off and the choice); `chat` writes the page
without JavaScript: chat-page.png, chat-smalltalk.png, chat-municipality-choice.png
(a hand-off with no municipality known, focus on a choice), chat-municipality-chosen.png
(the conversation after choosing, earlier turns drawn again) and
chat-handoff-card.png (asking for a person with the municipality known).
Without an argument, all of them. Every step waits on what it expects to see.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from conftest import CHROMIUM, LAUNCH_ARGS, ServerThread

from navguide.server.app import create_app
from navguide.settings import Settings

ROOT = Path(__file__).parents[2]
OUT = ROOT / "docs" / "screenshots"
QUESTIONS = ("Hur söker jag till komvux?", "Var kan jag skriva tentamen i Föllinge?")


def converse(page: Page, base: str) -> None:
    page.goto(f"{base}/?municipality=krokom")
    page.get_by_role("button", name="Fråga om studier").click()
    panel = page.frame_locator("iframe.navguide-frame")
    for n, question in enumerate(QUESTIONS, start=1):
        panel.locator("#navguide-input").fill(question)
        panel.locator("#navguide-input").press("Enter")
        expect(panel.locator("li.msg.bot:not(.welcome) .fb")).to_have_count(n)
    page.wait_for_timeout(400)


def widget_shots(browser: Browser, base: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    converse(page, base)
    page.screenshot(path=OUT / "widget-desktop.png")
    phone = browser.new_page(viewport={"width": 360, "height": 740},
                             device_scale_factor=2, is_mobile=True, has_touch=True)
    converse(phone, base)
    phone.screenshot(path=OUT / "widget-phone.png")
    # 400 % zoom of a 1280x800 window: 320x200 CSS px drawn with 4x pixels.
    zoomed = browser.new_page(viewport={"width": 320, "height": 200},
                              device_scale_factor=4)
    converse(zoomed, base)
    zoomed.screenshot(path=OUT / "widget-zoom-400.png")
    contrast = browser.new_page(viewport={"width": 1280, "height": 800},
                                forced_colors="active")
    converse(contrast, base)
    contrast.frame_locator("iframe.navguide-frame").locator("#navguide-input").focus()
    contrast.keyboard.press("Shift+Tab")  # a focus ring on the last suggestion
    contrast.screenshot(path=OUT / "widget-forced-colors.png")


def widget_state_shots(browser: Browser, base: str) -> None:
    """The panel's new states: small talk, then asking for a person with no municipality
    known: the hand-off and the municipality choice, a choice focused by keyboard."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    page.goto(f"{base}/")
    page.get_by_role("button", name="Fråga om studier").click()
    panel = page.frame_locator("iframe.navguide-frame")
    answers = panel.locator("li.msg.bot:not(.welcome)")
    for n, question in enumerate(("hej", "Jag vill prata med en människa"), start=1):
        panel.locator("#navguide-input").fill(question)
        panel.locator("#navguide-input").press("Enter")
        expect(answers).to_have_count(n)
        expect(panel.locator(".waiting")).to_have_count(0)
    choice = answers.last.get_by_role("group", name="Välj din kommun")
    expect(choice).to_be_visible()
    krokom = choice.get_by_role("button", name="Krokom")
    krokom.focus()
    expect(krokom).to_be_focused()
    page.screenshot(path=OUT / "widget-municipality-choice.png")
    page.close()


def chat_shots(browser: Browser, base: str) -> None:
    """/chat without JavaScript: an answer, small talk, the municipality choice, the
    conversation after choosing, and the hand-off card."""
    page = browser.new_page(viewport={"width": 1000, "height": 900}, java_script_enabled=False)
    replies = page.locator("li.msg.bot")
    page.goto(f"{base}/chat?q=Var+ligger+l%C3%A4rcentrum+i+Krokom%3F")
    expect(replies.locator("article.card.centre")).to_have_count(1)
    page.screenshot(path=OUT / "chat-page.png", full_page=True)
    page.goto(f"{base}/chat?q=hej")
    expect(replies).to_have_count(1)
    expect(page.get_by_role("group", name="Förslag på frågor")).to_be_visible()
    page.screenshot(path=OUT / "chat-smalltalk.png", full_page=True)
    page.get_by_label("Din fråga").fill("Jag vill prata med en människa")
    page.get_by_role("button", name="Skicka").click()
    choice = page.get_by_role("group", name="Välj din kommun")
    expect(replies).to_have_count(2)
    expect(choice).to_be_visible()
    krokom = choice.get_by_role("button", name="Krokom")
    krokom.focus()  # as a keyboard user reaches it
    expect(krokom).to_be_focused()
    page.screenshot(path=OUT / "chat-municipality-choice.png", full_page=True)
    krokom.press("Enter")
    expect(replies).to_have_count(3)
    expect(page.locator("#municipality")).to_have_value("krokom")
    page.screenshot(path=OUT / "chat-municipality-chosen.png", full_page=True)
    page.goto(f"{base}/chat?municipality=krokom&q=Jag+vill+prata+med+en+m%C3%A4nniska")
    expect(replies.locator("article.card.handoff")).to_have_count(1)
    page.screenshot(path=OUT / "chat-handoff-card.png", full_page=True)
    page.close()


def main(which: str = "all") -> None:
    settings = Settings(knowledge=str(ROOT / "knowledge"), watch=False, record=False)
    server = ServerThread(create_app(settings)).start()
    base = f"http://127.0.0.1:{server.port}"
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            if which in ("all", "widget"):
                widget_shots(browser, base)
            if which in ("all", "widget", "states"):
                widget_state_shots(browser, base)
            if which in ("all", "chat"):
                chat_shots(browser, base)
            browser.close()
    finally:
        server.stop()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT), path.stat().st_size, "bytes")


if __name__ == "__main__":
    if len(sys.argv) > 2 or sys.argv[1:] not in ([], ["widget"], ["states"], ["chat"]):
        sys.exit("Error: usage: make_screenshots.py [widget|states|chat]")
    main(sys.argv[1] if len(sys.argv) > 1 else "all")
