"""axe-core's WCAG 2.1 A and AA rules on every page and state a learner meets,
and the no-JavaScript chat used with JavaScript off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from .conftest import Sites
from .test_widget import FRAME, ask, open_widget
from .test_widget_access import CHOOSER, CLARIFY, PHONE, SMALLTALK, answer_with

WCAG21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
             "iframes": False}
RUN = """options => axe.run(document, options).then(result => result.violations.map(v =>
  v.id + " (" + v.impact + "): " + v.nodes.map(n => n.target.join(" ")).join(", ")))"""


def violations(frame: Page | Frame, axe_source: str) -> list[str]:
    frame.evaluate(axe_source)  # evaluated by the driver, so the pages' CSP does not block it
    return frame.evaluate(RUN, WCAG21_AA)


def widget_frame(page: Page, sites: Sites) -> Frame:
    return next(f for f in page.frames if f.url.startswith(f"{sites.navguide}/widget"))


def test_demo_page(page: Page, sites: Sites, axe_source: str) -> None:
    page.goto(f"{sites.navguide}/")
    expect(page.locator(".navguide-launcher")).to_be_visible()
    assert violations(page, axe_source) == []


@pytest.mark.parametrize("color", ["#005a8c", "#ffdd00", "#6b2c91"])
def test_open_panel_with_every_card_type(page: Page, sites: Sites, axe_source: str,
                                         color: str) -> None:
    page.goto(f"{sites.navguide}/?municipality=krokom&color={color.replace('#', '%23')}")
    page.get_by_role("button", name="Fråga om studier").click()
    panel = page.frame_locator(FRAME)
    for question in ("Hur söker jag till komvux?", "Var ligger lärcentrum i Krokom?",
                     "Vilka kurser finns på komvux?", "Vad kostar en pizza?"):
        ask(panel, question)
    for kind in ("centre", "course", "handoff"):
        expect(panel.locator(f"article.card.{kind}").first).to_be_visible()
    panel.locator("li.msg.bot").nth(1).get_by_role("button", name="Nej").click()
    expect(panel.locator(".thanks")).to_have_count(1)
    assert violations(widget_frame(page, sites), axe_source) == []
    assert violations(page, axe_source) == []


def test_open_panel_in_english(page: Page, sites: Sites, axe_source: str) -> None:
    page.goto(f"{sites.host_allowed}/page?lang=en")
    page.get_by_role("button", name="Ask about studies").click()
    panel = page.frame_locator(FRAME)
    ask(panel, "How do I apply to Komvux?")
    assert violations(widget_frame(page, sites), axe_source) == []
    assert violations(page, axe_source) == []


def test_open_panel_with_the_conversation_kinds(page: Page, sites: Sites,
                                                axe_source: str) -> None:
    panel = open_widget(page, sites)
    answer_with(page, SMALLTALK, CLARIFY, CHOOSER)
    for question in ("hej", "komvux sfi", "Vad kostar en pizza?"):
        ask(panel, question)
    expect(panel.get_by_role("group", name="Välj din kommun")).to_be_visible()
    assert violations(widget_frame(page, sites), axe_source) == []


def test_open_panel_on_a_phone_with_the_page_behind_inert(browser: Browser, sites: Sites,
                                                          axe_source: str) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        panel = open_widget(page, sites)
        answer_with(page, CLARIFY)
        ask(panel, "komvux sfi")
        expect(page.locator("main")).to_have_attribute("aria-hidden", "true")
        assert violations(widget_frame(page, sites), axe_source) == []
        assert violations(page, axe_source) == []
    finally:
        context.close()


def test_error_page(page: Page, sites: Sites, axe_source: str) -> None:
    response = page.goto(f"{sites.navguide}/no-such-page")
    assert response is not None and response.status == 404
    assert violations(page, axe_source) == []


def test_chat_page_without_javascript(browser: Browser, sites: Sites, axe_source: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{sites.navguide}/chat?q=Hur+s%C3%B6ker+jag+till+komvux%3F")
        expect(page.locator("#latest")).to_contain_text("Söka till komvux")
        page.get_by_role("button", name="Vad är SFI?").click()
        expect(page.locator("#latest")).to_contain_text("Svenska för invandrare")
        page.get_by_label("Kommun").select_option("krokom")
        for question in ("Var ligger lärcentrum?", "Vilka kurser finns på komvux?",
                         "Vad kostar en pizza?"):
            page.get_by_label("Din fråga").fill(question)
            page.get_by_role("button", name="Skicka").click()
            expect(page.locator("li.msg.me").last).to_contain_text(question)
        for kind in ("centre", "course", "handoff"):
            expect(page.locator(f"article.card.{kind}").first).to_be_visible()
        expect(page.locator("script")).to_have_count(0)
    finally:
        context.close()
    # axe needs JavaScript: the same conversation, checked with it on.
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{sites.navguide}/chat?q=Vilka+kurser+finns+p%C3%A5+komvux%3F"
                  "&municipality=krokom")
        page.get_by_label("Din fråga").fill("Vad kostar en pizza?")
        page.get_by_role("button", name="Skicka").click()
        expect(page.locator("article.card.handoff")).to_be_visible()
        assert violations(page, axe_source) == []
        page.goto(f"{sites.navguide}/chat?lang=en")
        page.get_by_role("button", name="Send").click()  # an empty question: the error state
        expect(page.locator("#message-error")).to_be_visible()
        assert violations(page, axe_source) == []
    finally:
        context.close()


def test_the_check_itself_finds_a_violation(page: Page, axe_source: str) -> None:
    page.set_content('<html lang="sv"><title>x</title><button></button>'
                     '<p style="color:#aaa;background:#fff">grå text</p></html>')
    found = violations(page, axe_source)
    assert any(v.startswith("button-name") for v in found), found
    assert any(v.startswith("color-contrast") for v in found), found


def test_chat_page_small_talk_and_the_municipality_choice(
    browser: Browser, sites: Sites, axe_source: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{sites.navguide}/chat?q=hej")
        expect(page.locator("#latest")).to_contain_text("Hej!")
        assert violations(page, axe_source) == []
        page.goto(f"{sites.navguide}/chat?q=Jag+vill+prata+med+en+m%C3%A4nniska")
        choice = page.get_by_role("group", name="Välj din kommun")
        expect(choice.get_by_role("button")).to_have_count(2)
        expect(page.get_by_role("group", name="Var svaret till hjälp?")).to_be_visible()
        assert violations(page, axe_source) == []
        choice.get_by_role("button", name="Krokom").focus()  # chosen by keyboard
        page.keyboard.press("Enter")
        expect(page.locator("#latest")).to_contain_text("Lärcentrum Krokom")
        expect(page.get_by_label("Kommun")).to_have_value("krokom")
        page.get_by_role("button", name="Ja").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("Tack för ditt svar!")
        assert violations(page, axe_source) == []
    finally:
        context.close()
