"""The widget in a real browser, embedded on another site the way a web team would."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, FrameLocator, Locator, Page, expect

from .conftest import Sites

FRAME = "iframe.navguide-frame"


def open_widget(page: Page, sites: Sites, **attrs: str) -> FrameLocator:
    query = "&".join(f"{k}={v.replace('#', '%23')}" for k, v in attrs.items())
    page.goto(f"{sites.host_allowed}/page?{query}")
    page.get_by_role("button", name=re.compile("Fråga om studier|Ask about studies")).click()
    panel = page.frame_locator(FRAME)
    expect(panel.locator("#navguide-input")).to_be_focused()
    return panel


def ask(panel: FrameLocator, question: str) -> None:
    before = panel.locator("li.msg.bot:not(.welcome)").count()
    panel.locator("#navguide-input").fill(question)
    panel.locator("#navguide-send").click()
    expect(panel.locator("li.msg.bot:not(.welcome)")).to_have_count(before + 1)
    expect(panel.locator(".waiting")).to_have_count(0)


def last_answer(panel: FrameLocator) -> Locator:
    return panel.locator("li.msg.bot").last


def test_nothing_but_the_loader_before_the_chat_opens(page: Page, sites: Sites) -> None:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(f"{sites.host_allowed}/page")
    launcher = page.get_by_role("button", name="Fråga om studier")
    expect(launcher).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert [u for u in seen if u.startswith(sites.navguide)] == [f"{sites.navguide}/embed.js"]
    assert page.locator("iframe").count() == 0
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_mouse_ask_and_get_an_answer_with_a_link(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    expect(page.get_by_role("button", name="Fråga om studier")).to_have_attribute(
        "aria-expanded", "true")
    ask(panel, "Hur söker jag till komvux?")
    answer = last_answer(panel)
    expect(answer).to_contain_text("Söka till komvux")
    link = answer.get_by_role("link", name="Skolverket – komvux")
    expect(link).to_have_attribute("href", "https://www.skolverket.se/komvux")
    expect(link).to_have_attribute("target", "_blank")
    expect(panel.locator("#navguide-live")).to_contain_text("Söka till komvux")


def test_the_whole_flow_by_keyboard(page: Page, sites: Sites) -> None:
    page.goto(f"{sites.host_allowed}/page")
    launcher = page.get_by_role("button", name="Fråga om studier")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "navguide-launcher":
            break
    expect(launcher).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the launcher's focus is not visible"
    page.keyboard.press("Enter")
    panel = page.frame_locator(FRAME)
    field = panel.locator("#navguide-input")
    expect(field).to_be_focused()
    page.keyboard.type("Hur söker jag till komvux?")
    page.keyboard.press("Enter")
    expect(last_answer(panel)).to_contain_text("Söka till komvux")
    expect(field).to_be_focused()
    # Shift+Tab walks back up the newest answer: its suggestions, then "was this helpful?".
    frame = next(f for f in page.frames if f.url.startswith(f"{sites.navguide}/widget"))
    order = []
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        order.append(frame.evaluate("document.activeElement.textContent"))
    assert order == ["Var ligger lärcentrum?", "Vad är SFI?",
                     "Kan jag få CSN när jag läser på komvux?", "Nej", "Ja"]
    yes = last_answer(panel).get_by_role("button", name="Ja", exact=True)
    expect(yes).to_be_focused()
    page.keyboard.press("Enter")
    thanks = last_answer(panel).locator(".thanks")
    expect(thanks).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(FRAME)).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")  # opens again, the conversation still there
    expect(field).to_be_focused()
    expect(panel.locator(".thanks")).to_have_count(1)


def test_a_follow_up_by_suggestion_button(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    ask(panel, "Hur söker jag till komvux?")
    button = last_answer(panel).get_by_role("button", name="Vad är SFI?")
    button.click()
    expect(panel.locator("li.msg.me").last).to_have_text(re.compile("Vad är SFI?"))
    expect(last_answer(panel)).to_contain_text("Svenska för invandrare")
    expect(panel.locator("#navguide-input")).to_be_focused()


def test_a_place_question_shows_the_centre_card(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    ask(panel, "Var ligger lärcentrum i Krokom?")
    card = last_answer(panel).locator("article.card.centre")
    expect(card.get_by_role("heading", name="Lärcentrum Krokom")).to_be_visible()
    expect(card).to_contain_text("Storgatan 1, 835 31 Krokom")
    expect(card).to_contain_text("Mån–fre 8–16")
    expect(card.get_by_role("link", name="0640-123 45")).to_have_attribute(
        "href", "tel:064012345")
    expect(card.get_by_role("link", name="larcentrum@krokom.example")).to_have_attribute(
        "href", "mailto:larcentrum@krokom.example")
    expect(card.get_by_role("link", name="https://www.krokom.se/")).to_be_visible()


def test_courses_show_as_a_list_of_cards(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    ask(panel, "Vilka kurser finns på komvux?")
    cards = last_answer(panel).locator("article.card.course")
    expect(cards.nth(1)).to_be_visible()
    expect(last_answer(panel)).to_contain_text(f"Jag hittade {cards.count()} utbildningar")
    course = cards.filter(has_text="Företagsekonomi 2")
    expect(course).to_contain_text("Komvux Krokom")
    expect(course).to_contain_text("på distans")
    expect(course).to_contain_text("2027-02-01")
    expect(course).to_contain_text("Sista ansökningsdag")
    expect(course.get_by_role("link", name="Läs mer")).to_have_attribute(
        "href", "https://www.krokom.se/ekonomi-2")


def test_an_english_question_gets_an_english_answer(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    ask(panel, "How do I apply to Komvux?")
    answer = last_answer(panel)
    expect(answer).to_have_attribute("lang", "en")
    expect(answer).to_contain_text("Applying to Komvux")
    expect(answer.get_by_role("button", name="Yes")).to_be_visible()


def test_the_language_switch(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    panel.get_by_role("button", name="English").click()
    expect(panel.locator("html")).to_have_attribute("lang", "en")
    expect(panel.locator("#navguide-send")).to_have_text("Send")
    expect(panel.get_by_label("Your question")).to_be_visible()
    expect(panel.locator("li.welcome")).to_contain_text("Hello!")
    expect(page.locator(".navguide-launcher")).to_have_text("Ask about studies")
    ask(panel, "Vad är SFI?")
    expect(last_answer(panel)).to_contain_text("Svenska för invandrare")
    panel.get_by_role("button", name="Svenska").click()
    expect(panel.locator("#navguide-send")).to_have_text("Skicka")


def test_an_out_of_scope_question_shows_the_hand_off_card(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites, municipality="krokom")
    ask(panel, "Vad kostar en pizza?")
    card = last_answer(panel).locator("article.card.handoff")
    expect(card.get_by_role("heading", name="Prata med en vägledare")).to_be_visible()
    expect(card).to_contain_text("Kontakta Lärcentrum Krokom")
    expect(card.get_by_role("link", name="0640-123 45")).to_be_visible()


def test_new_conversation_starts_over(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    ask(panel, "Hur söker jag till komvux?")
    panel.get_by_role("button", name="Ny konversation").click()
    expect(panel.locator("li.msg")).to_have_count(1)
    expect(panel.locator("#navguide-input")).to_be_focused()


def test_a_phone_gets_a_full_screen_panel(browser: Browser, sites: Sites) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        panel = open_widget(page, sites)
        box = page.locator(FRAME).bounding_box()
        assert box == {"x": 0, "y": 0, "width": 360, "height": 740}
        ask(panel, "Var ligger lärcentrum i Krokom?")
        ask(panel, "Hur söker jag till komvux?")
        # The header and the field stay put; only the conversation scrolls.
        expect(panel.locator("#navguide-close")).to_be_in_viewport()
        expect(panel.locator("#navguide-input")).to_be_in_viewport()
        assert panel.locator("body").evaluate("() => window.scrollY") == 0
        overflow = panel.locator("body").evaluate(
            "b => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow == 0
        panel.get_by_role("button", name="Stäng").click()
        expect(page.locator(FRAME)).to_be_hidden()
    finally:
        context.close()


def test_text_zoomed_to_200_percent_fits(browser: Browser, sites: Sites) -> None:
    # A 1280 px wide window at 200 % zoom lays out like a 640 px one with 2x pixels.
    context = browser.new_context(viewport={"width": 640, "height": 400},
                                  device_scale_factor=2)
    page = context.new_page()
    try:
        panel = open_widget(page, sites)
        ask(panel, "Hur söker jag till komvux?")
        for locator in (panel.locator("#navguide-send"), panel.locator("#navguide-close"),
                        panel.locator("#navguide-lang")):
            expect(locator).to_be_in_viewport()
        overflow = panel.locator("body").evaluate(
            "b => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow == 0
    finally:
        context.close()


def test_text_alone_enlarged_to_200_percent_fits(page: Page, sites: Sites) -> None:
    # Browsers' "text only" zoom and large default fonts double the root font size.
    panel = open_widget(page, sites)
    panel.locator("html").evaluate("html => { html.style.fontSize = '200%'; }")
    ask(panel, "Var ligger lärcentrum i Krokom?")
    for name in ("Stäng", "Ny konversation", "English", "Skicka"):
        expect(panel.get_by_role("button", name=name)).to_be_in_viewport()
    widths = panel.locator("html").evaluate(
        "html => [html.scrollWidth, html.clientWidth, "
        "document.getElementById('navguide-scroll').scrollWidth, "
        "document.getElementById('navguide-scroll').clientWidth]")
    assert widths[0] == widths[1] and widths[2] == widths[3], widths


def test_framing_from_a_site_not_allowed_is_refused(page: Page, sites: Sites) -> None:
    # The same page, served from an allowed origin (localhost) and from one that is not
    # (127.0.0.1, another origin for the browser): Chromium refuses the second frame.
    page.goto(f"{sites.host_allowed}/frame")
    expect(page.frame_locator("#f").locator("#navguide-input")).to_be_visible()
    page.goto(f"{sites.host_refused}/frame")
    page.wait_for_load_state("load")
    (framed,) = page.main_frame.child_frames
    assert framed.url.startswith("chrome-error://")
    assert framed.query_selector("#navguide-input") is None


STORAGE = """() => {
  const count = name => { try { return window[name].length; } catch (e) { return "denied"; } };
  return [document.cookie, count("localStorage"), count("sessionStorage")];
}"""


def test_no_cookies_and_no_storage(page: Page, sites: Sites) -> None:
    # On another site (where the browser may deny the frame storage anyway) and on
    # navguide's own demo page (where it would be allowed): nothing is stored.
    for url in (f"{sites.host_allowed}/page", f"{sites.navguide}/"):
        page.goto(url)
        page.get_by_role("button", name="Fråga om studier").click()
        panel = page.frame_locator(FRAME)
        ask(panel, "Hur söker jag till komvux?")
        with page.expect_request(f"{sites.navguide}/api/feedback") as sent:
            last_answer(panel).get_by_role("button", name="Ja", exact=True).click()
        assert sent.value.post_data_json["helpful"] is True
        assert re.fullmatch(r"[0-9a-f]{32}", sent.value.post_data_json["reply_id"])
        expect(last_answer(panel).locator(".thanks")).to_be_visible()
        assert page.context.cookies() == []
        assert page.evaluate(STORAGE) == ["", 0, 0]
        frame = next(f for f in page.frames if f.url.startswith(f"{sites.navguide}/widget"))
        assert frame.evaluate(STORAGE) in (["", 0, 0], ["", "denied", "denied"])
    assert frame.evaluate(STORAGE) == ["", 0, 0]


def test_knowledge_and_messages_are_shown_as_text(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    ask(panel, "<img src=x onerror=\"window.__xss = 9\"> Visa den farliga texten")
    answer = last_answer(panel)
    expect(answer).to_contain_text("<script>window.__xss = 1</script>")
    expect(answer).to_contain_text('<img src=x onerror="window.__xss = 2">')
    expect(answer.get_by_role("link", name=re.compile("Länk <img"))).to_be_visible()
    expect(panel.locator("li.msg.me").last).to_contain_text("<img src=x onerror")
    expect(panel.locator("li.msg img, li.msg script")).to_have_count(0)
    frame = next(f for f in page.frames if f.url.startswith(f"{sites.navguide}/widget"))
    assert frame.evaluate("window.__xss") is None
    assert page.evaluate("window.__xss") is None


def test_the_launcher_colour_picks_a_readable_text(page: Page, sites: Sites) -> None:
    ratio = """el => {
      const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number);
      const lum = c => { const [r, g, b] = c.map(v => { v /= 255;
        return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const style = getComputedStyle(el);
      const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
      return [style.color, (a + 0.05) / (b + 0.05)];
    }"""
    for color, ink in (("#ffdd00", "rgb(0, 0, 0)"), ("#003366", "rgb(255, 255, 255)"),
                       ("#777777", "rgb(0, 0, 0)")):
        panel = open_widget(page, sites, color=color)
        seen, contrast = page.locator(".navguide-launcher").evaluate(ratio)
        assert seen == ink
        assert contrast >= 4.5, (color, contrast)
        seen, contrast = panel.locator("#navguide-send").evaluate(ratio)
        assert seen == ink
        assert contrast >= 4.5, (color, contrast)


def test_motion_respects_reduced_motion(browser: Browser, sites: Sites) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    try:
        open_widget(page, sites)
        duration = page.locator(".navguide-launcher").evaluate(
            "b => getComputedStyle(b).transitionDuration")
        assert duration == "0s"
    finally:
        context.close()


def test_messages_from_elsewhere_are_ignored(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    # The host page itself (not navguide's origin) posts a well-formed "close":
    # the loader ignores it, as it ignores anything not from its own frame.
    page.evaluate("window.postMessage({navguide: {type: 'close'}}, '*')")
    page.wait_for_timeout(200)
    expect(page.locator(FRAME)).to_be_visible()
    panel.locator("#navguide-close").click()
    expect(page.locator(FRAME)).to_be_hidden()


def test_the_launcher_can_sit_on_the_left(page: Page, sites: Sites) -> None:
    open_widget(page, sites, position="left")
    launcher = page.locator(".navguide-launcher").bounding_box()
    frame = page.locator(FRAME).bounding_box()
    assert launcher is not None and frame is not None
    assert launcher["x"] < 40 and frame["x"] < 40
