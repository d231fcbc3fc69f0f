"""Take the README's screenshots of the open panel: `python tests/browser/make_screenshots.py`.

Uses the starter knowledge in knowledge/ and the same servers and Chromium
as the browser tests. Writes docs/screenshots/widget-desktop.png,
widget-phone.png, widget-zoom-400.png (a 1280x800 window at 400 % zoom),
widget-forced-colors.png (Windows high contrast) and chat-page.png (the page
without JavaScript).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

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


def main() -> None:
    settings = Settings(knowledge=str(ROOT / "knowledge"), watch=False, record=False)
    server = ServerThread(create_app(settings)).start()
    base = f"http://127.0.0.1:{server.port}"
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
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
            page = browser.new_page(viewport={"width": 1000, "height": 900},
                                    java_script_enabled=False)
            page.goto(f"{base}/chat?q=Var+ligger+l%C3%A4rcentrum+i+Krokom%3F")
            page.screenshot(path=OUT / "chat-page.png", full_page=True)
            browser.close()
    finally:
        server.stop()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
