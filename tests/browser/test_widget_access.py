"""The widget for keyboard, screen reader, zoom, high-contrast and reduced-motion
users: the focus trap on phones, reflow at 320 CSS px and 400 % zoom, forced
colours, no motion on request, and every reply kind announced once with its
buttons in reading order.

Replies of kinds the test knowledge cannot produce (small talk, "did you
mean", the municipality chooser) come from a fake `/api/chat` (route
interception), in the shape of the reply contract.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, Route, expect

from .conftest import Sites
from .test_widget import FRAME, ask, last_answer, open_widget

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture
def make_context(browser: Browser) -> Iterator[Callable[..., Page]]:
    made: list[BrowserContext] = []

    def make(**options: object) -> Page:
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        made.append(context)
        return context.new_page()

    yield make
    for context in made:
        context.close()


def widget_frame(page: Page, sites: Sites) -> Frame:
    return next(f for f in page.frames if f.url.startswith(f"{sites.navguide}/widget"))


def fake_reply(kind: str, text: str, *, suggestions: list[dict] | None = None,
               choice: str | None = None, lang: str = "sv") -> dict:
    """A reply as `POST /api/chat` gives it, per the reply contract (team.md)."""
    reply = {"kind": kind, "text": text, "html": f"<p>{text}</p>", "cards": [], "links": [],
             "suggestions": suggestions or [], "handoff": kind == "handoff", "lang": lang,
             "ids": [], "reply_id": "f" * 32, "context": None}
    if choice:
        reply["choice"] = choice
    return reply


def answer_with(page: Page, *replies: dict) -> list[dict]:
    """Answer the next chat requests with `replies`, in order; later ones go to the
    real API. Returns the request bodies seen, in order."""
    seen: list[dict] = []

    def handle(route: Route) -> None:
        seen.append(route.request.post_data_json)
        if len(seen) <= len(replies):
            route.fulfill(status=200, content_type="application/json",
                          body=json.dumps(replies[len(seen) - 1]))
        else:
            route.continue_()

    page.route("**/api/chat", handle)
    return seen


FOCUS = """() => {
  const a = document.activeElement;
  return a.id || a.textContent.trim() || a.tagName;
}"""


def focus_in_frame(page: Page, frame: Frame) -> str | None:
    """What has focus inside the panel, or None when focus is elsewhere on the page."""
    if not page.evaluate("document.activeElement?.classList.contains('navguide-frame')"):
        return None
    return frame.evaluate(FOCUS)


INERT = "[...document.body.children].filter(n => n.inert).map(n => n.tagName.toLowerCase())"


# 1. Focus stays in the panel while it covers the page.

def test_on_a_phone_focus_stays_in_the_panel_and_the_page_behind_is_inert(
        make_context: Callable[..., Page], sites: Sites) -> None:
    page = make_context(**PHONE)
    panel = open_widget(page, sites)
    frame = widget_frame(page, sites)
    assert sorted(page.evaluate(INERT)) == ["button", "header", "main", "script"]
    # The page behind is gone from the accessibility tree: only the chat is left.
    tree = page.locator("body").aria_snapshot()
    assert "Vuxenutbildning" not in tree and "Hoppa till innehållet" not in tree
    forward = []
    for _ in range(10):
        page.keyboard.press("Tab")
        forward.append(focus_in_frame(page, frame))
    assert forward == ["navguide-send", "navguide-close", "navguide-new", "navguide-lang",
                       "Hur söker jag till komvux?", "Var ligger närmaste lärcentrum?",
                       "Kan jag få studiemedel från CSN?", "navguide-input", "navguide-send",
                       "navguide-close"]
    backward = []
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
        backward.append(focus_in_frame(page, frame))
    assert backward == ["navguide-send", "navguide-input", "Kan jag få studiemedel från CSN?"]
    ask(panel, "Hur söker jag till komvux?")  # more buttons and links: still a closed loop
    for _ in range(25):
        page.keyboard.press("Tab")
        assert focus_in_frame(page, frame) is not None
    page.keyboard.press("Escape")
    expect(page.locator(FRAME)).to_be_hidden()
    launcher = page.get_by_role("button", name="Fråga om studier")
    expect(launcher).to_be_focused()
    assert page.evaluate(INERT) == []
    assert page.locator("[aria-hidden]").count() == 0
    assert "Vuxenutbildning" in page.locator("body").aria_snapshot()


def test_without_inert_the_page_is_hidden_and_focus_sent_back(
        make_context: Callable[..., Page], sites: Sites) -> None:
    # A browser without `inert` (Safari before 15.5, Firefox before 112).
    page = make_context(**PHONE)
    page.add_init_script("delete HTMLElement.prototype.inert")
    open_widget(page, sites)
    assert page.evaluate("!('inert' in HTMLElement.prototype)")
    expect(page.locator("main")).to_have_attribute("aria-hidden", "true")
    assert "Vuxenutbildning" not in page.locator("body").aria_snapshot()
    page.evaluate("document.querySelector('header a').focus()")  # as a screen reader might
    assert page.evaluate("document.activeElement.className") == "navguide-frame"
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Fråga om studier")).to_be_focused()
    assert page.locator("[aria-hidden]").count() == 0
    page.evaluate("document.querySelector('header a').focus()")  # the page is free again
    assert page.evaluate("document.activeElement.tagName") == "A"


def test_a_phone_turned_to_a_wide_window_frees_the_page(
        make_context: Callable[..., Page], sites: Sites) -> None:
    page = make_context(**PHONE)
    open_widget(page, sites)
    assert page.evaluate(INERT) != []
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function(f"({INERT}).length === 0")
    page.set_viewport_size({"width": 360, "height": 740})
    page.wait_for_function(f"({INERT}).length === 4")


def test_on_a_wide_screen_focus_may_leave_the_panel(page: Page, sites: Sites) -> None:
    open_widget(page, sites)
    frame = widget_frame(page, sites)
    assert page.evaluate(INERT) == []
    page.keyboard.press("Tab")
    assert focus_in_frame(page, frame) == "navguide-send"
    page.keyboard.press("Tab")
    assert focus_in_frame(page, frame) is None  # on to the page (or the browser), as before


FAKE_KEYBOARD = """(() => {
  // Headless Chromium has no on-screen keyboard: a stand-in visual viewport that
  // shrinks the way a phone's does when its keyboard opens.
  const view = new EventTarget();
  let shown = null;  // [height, offsetTop] while the keyboard is out
  Object.defineProperties(view, {
    height: { get: () => shown ? shown[0] : innerHeight },
    offsetTop: { get: () => shown ? shown[1] : 0 },
    scale: { value: 1 },
  });
  Object.defineProperty(window, "visualViewport", { value: view, configurable: true });
  window.keyboard = (height, top) => {
    shown = height === null ? null : [height, top];
    view.dispatchEvent(new Event("resize"));
  };
})()"""


def test_on_a_phone_the_field_stays_above_the_on_screen_keyboard(
        make_context: Callable[..., Page], sites: Sites) -> None:
    page = make_context(**PHONE)
    page.add_init_script(FAKE_KEYBOARD)
    panel = open_widget(page, sites)
    ask(panel, "Var ligger lärcentrum i Krokom?")
    page.evaluate("keyboard(420, 320)")  # the keyboard takes the lower 320 px
    expect(page.locator(FRAME)).to_have_css("height", "420px")
    for name in ("#navguide-input", "#navguide-send", "#navguide-close"):
        box = panel.locator(name).bounding_box()
        assert box is not None and box["y"] >= 320 and box["y"] + box["height"] <= 740, name
    page.evaluate("keyboard(null)")
    expect(page.locator(FRAME)).to_have_css("height", "740px")


# 2. Reflow at 320 CSS px and at 200 % and 400 % browser zoom.

ZOOMS = {
    "320 px phone": {"viewport": {"width": 320, "height": 568}, "device_scale_factor": 2,
                     "is_mobile": True, "has_touch": True},
    "200 % of 1280x800": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
    "400 % of 1280x800": {"viewport": {"width": 320, "height": 200}, "device_scale_factor": 4},
}

# Everything a learner sees lies within the window's width, and nothing scrolls sideways.
CUT_OFF = """() => {
  const root = document.documentElement, width = root.clientWidth, out = [];
  if (root.scrollWidth > width) out.push("page " + root.scrollWidth);
  for (const node of document.body.querySelectorAll("*")) {
    if (node.closest(".sr-only, .skip:not(:focus)") || !node.getClientRects().length) continue;
    const box = node.getBoundingClientRect();
    const name = node.tagName + " " + node.className;
    if (box.left < -0.5 || box.right > width + 0.5) out.push(name + " " + box.right);
    if (node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX !== "visible")
      out.push("clipped " + name);
  }
  return out;
}"""


# The share of the window's height where the conversation shows, down its middle.
CONVERSATION_SHARE = """() => {
  const log = document.getElementById("navguide-log"), x = innerWidth / 2;
  let seen = 0, all = 0;
  for (let y = 1; y < innerHeight; y += 4, all++) {
    if (log.contains(document.elementFromPoint(x, y))) seen++;
  }
  return seen / all;
}"""


@pytest.mark.parametrize("zoom", ZOOMS)
def test_the_panel_reflows(make_context: Callable[..., Page], sites: Sites, zoom: str) -> None:
    page = make_context(**ZOOMS[zoom])
    panel = open_widget(page, sites, municipality="krokom")
    for question in ("Var ligger lärcentrum i Krokom?", "Vilka kurser finns på komvux?",
                     "Vad kostar en pizza?"):
        ask(panel, question)
    box = page.locator(FRAME).bounding_box()
    assert box == {"x": 0, "y": 0, **ZOOMS[zoom]["viewport"]}  # the panel covers the window
    frame = widget_frame(page, sites)
    assert frame.evaluate(CUT_OFF) == []
    for name in ("#navguide-input", "#navguide-send"):
        expect(panel.locator(name)).to_be_in_viewport(ratio=1)
    # The conversation itself gets at least half of the window, not a slit between bars.
    assert frame.evaluate(CONVERSATION_SHARE) >= 0.5
    # Every part of the conversation can be scrolled to and seen, the first words too.
    panel.locator("li.msg").first.scroll_into_view_if_needed()
    expect(panel.locator("li.msg").first).to_be_in_viewport()
    panel.locator("#navguide-close").scroll_into_view_if_needed()
    expect(panel.locator("#navguide-close")).to_be_in_viewport()
    expect(panel.locator("#navguide-input")).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("zoom", ZOOMS)
def test_the_chat_page_reflows(make_context: Callable[..., Page], sites: Sites,
                               zoom: str) -> None:
    page = make_context(**ZOOMS[zoom])
    page.goto(f"{sites.navguide}/chat?q=Vilka+kurser+finns+p%C3%A5+komvux%3F"
              "&municipality=krokom")
    expect(page.locator("article.card.course").first).to_be_visible()
    assert page.evaluate(CUT_OFF) == []
    page.goto(f"{sites.navguide}/")
    assert page.evaluate(CUT_OFF) == []


# 3. Forced colours and reduced motion.

VISIBLE_EDGE = r"""(node, side) => {
  const s = getComputedStyle(node);
  const style = s[side + "Style"], width = parseFloat(s[side + "Width"]);
  return style !== "none" && width >= 1 && s[side + "Color"] !== s.backgroundColor
    && !/^rgba\(.*, 0\)$/.test(s[side + "Color"]) ? width : 0;
}"""


def test_forced_colours_keep_every_part_visible(make_context: Callable[..., Page],
                                                sites: Sites) -> None:
    page = make_context(viewport={"width": 1280, "height": 800}, forced_colors="active")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    panel = open_widget(page, sites)
    ask(panel, "Hur söker jag till komvux?")
    launcher = page.locator(".navguide-launcher")
    assert launcher.evaluate(VISIBLE_EDGE, "borderTop")
    assert page.locator(FRAME).evaluate(VISIBLE_EDGE, "outline")  # the panel's edge
    me = panel.locator("li.msg.me").first.evaluate(VISIBLE_EDGE, "borderTop")
    bot = last_answer(panel).evaluate(VISIBLE_EDGE, "borderTop")
    assert me and bot and me != bot  # bubbles drawn, and yours unlike the answers
    assert panel.locator(".bar").evaluate(VISIBLE_EDGE, "borderBottom")
    suggestion = last_answer(panel).locator(".sugg button").first
    assert suggestion.evaluate(VISIBLE_EDGE, "borderTop")
    panel.locator("#navguide-input").focus()
    page.keyboard.press("Shift+Tab")  # from the field to the last suggestion
    focused = last_answer(panel).locator(".sugg button").last
    expect(focused).to_be_focused()
    assert focused.evaluate(VISIBLE_EDGE, "outline") >= 2  # the focus ring
    panel.locator("#navguide-close").focus()
    assert panel.locator("#navguide-close").evaluate(VISIBLE_EDGE, "outline") >= 2
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    assert launcher.evaluate(VISIBLE_EDGE, "outline") >= 2


def slow_chat(page: Page) -> None:
    def handle(route: Route) -> None:
        page.wait_for_timeout(600)
        route.continue_()
    page.route("**/api/chat", handle)


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_no_animation_when_reduced_motion_is_asked_for(
        make_context: Callable[..., Page], sites: Sites, motion: str) -> None:
    page = make_context(reduced_motion=motion)
    panel = open_widget(page, sites)
    frame = widget_frame(page, sites)
    slow_chat(page)
    panel.locator("#navguide-input").fill("Hur söker jag till komvux?")
    panel.locator("#navguide-input").press("Enter")
    expect(panel.locator(".waiting")).to_be_visible()
    animations = frame.evaluate("document.getAnimations().length")
    transition = page.locator(".navguide-launcher").evaluate(
        "b => getComputedStyle(b).transitionDuration")
    if motion == "reduce":
        assert (animations, transition) == (0, "0s")
    else:  # the check can see motion where motion is allowed
        assert animations > 0 and transition != "0s"
    expect(panel.locator(".waiting")).to_have_count(0)


# 4. Every reply kind: announced once, its buttons reachable by Tab in reading order.

CHOOSER = fake_reply(
    "handoff", "Vilken kommun bor du i?", choice="municipality",
    suggestions=[{"label": "Krokom", "message": "Vad kostar en pizza?", "municipality": "krokom"},
                 {"label": "Östersund", "message": "Vad kostar en pizza?",
                  "municipality": "ostersund"}])
CLARIFY = fake_reply(
    "clarify", "Menar du komvux eller SFI?", choice="entry",
    suggestions=[{"label": "Söka till komvux", "message": "Hur söker jag till komvux?"},
                 {"label": "Vad är SFI?", "message": "Vad är SFI?"}])
SMALLTALK = fake_reply(
    "smalltalk", "Hej! Fråga mig om studier för vuxna.",
    suggestions=[{"label": "Hur söker jag till komvux?", "message": "Hur söker jag till komvux?"}])

# kind: (question, fake reply or None for the real API, said by the live region,
#        the group its buttons are in, some of the buttons' names in order)
KINDS = {
    "topic": ("Hur söker jag till komvux?", None, "Söka till komvux",
              "Förslag på frågor", ["Ja", "Nej", "Vad är SFI?"]),
    "centre": ("Var ligger lärcentrum i Krokom?", None, "Lärcentrum Krokom",
               "Var svaret till hjälp?", ["0640-123 45", "Ja", "Nej"]),
    "courses": ("Vilka kurser finns på komvux?", None, "utbildningar som kan passa",
                "Var svaret till hjälp?", ["Läs mer", "Ja", "Nej"]),
    "handoff": ("Vad kostar en pizza?", None, "Prata med en vägledare",
                "Var svaret till hjälp?", ["Ja", "Nej"]),
    "smalltalk": ("hej", SMALLTALK, "Hej! Fråga mig om studier för vuxna.",
                  "Förslag på frågor", ["Ja", "Nej", "Hur söker jag till komvux?"]),
    "clarify": ("komvux sfi", CLARIFY, "Menar du komvux eller SFI? Välj det du menar: "
                "Söka till komvux, Vad är SFI?", "Välj det du menar",
                ["Söka till komvux", "Vad är SFI?", "Ja", "Nej"]),
    "municipality chooser": ("Vad kostar en pizza?", CHOOSER, "Välj din kommun: Krokom, Östersund",
                             "Välj din kommun", ["Krokom", "Östersund", "Ja", "Nej"]),
}

WATCH_LIVE = """() => {
  window.said = [];
  const live = document.getElementById("navguide-live");
  new MutationObserver(() => { if (live.textContent) window.said.push(live.textContent); })
    .observe(live, { childList: true, characterData: true, subtree: true });
}"""

# The newest answer's links and buttons in the order they are read (DOM order),
# each with where it is drawn.
READING = """() => {
  const item = [...document.querySelectorAll("li.msg.bot")].pop();
  return [...item.querySelectorAll("a[href], button")].map(n => {
    const box = n.getBoundingClientRect();
    return [n.textContent.trim(), Math.round(box.top), Math.round(box.left)];
  });
}"""


@pytest.mark.parametrize("kind", KINDS)
def test_every_reply_kind_is_announced_once_and_reachable_in_reading_order(
        page: Page, sites: Sites, kind: str) -> None:
    question, fake, said, group, buttons = KINDS[kind]
    panel = open_widget(page, sites, municipality="krokom") if kind == "handoff" else \
        open_widget(page, sites)
    frame = widget_frame(page, sites)
    if fake:
        answer_with(page, fake)
    frame.evaluate(WATCH_LIVE)
    ask(panel, question)
    expect(panel.locator("#navguide-live")).not_to_be_empty()
    page.wait_for_timeout(300)
    announced = frame.evaluate("window.said")
    assert len(announced) == 1, announced
    assert said in announced[0]
    # In the accessibility tree: the live region holds it, and it is the only one.
    assert said in panel.locator("#navguide-live").aria_snapshot()
    assert panel.locator("[aria-live], [role=log], [role=status], [role=alert]").count() == 1
    # The buttons, under a name that says what they are for.
    answer = last_answer(panel)
    expect(answer.get_by_role("group", name=group)).to_be_visible()
    reading = frame.evaluate(READING)
    names = [name for name, _, _ in reading]
    rest = iter(names)
    assert all(name in rest for name in buttons), names  # these, in this order
    assert all(names), reading
    # Drawn in reading order: each next one on a lower row, or to the right on the same row.
    for (_, top, left), (_, next_top, next_left) in itertools.pairwise(reading):
        assert next_top > top + 2 or (abs(next_top - top) <= 2 and next_left > left), reading
    # Shift+Tab from the field walks them back in exactly that order.
    panel.locator("#navguide-input").focus()
    walked = []
    for _ in reading:
        page.keyboard.press("Shift+Tab")
        walked.append(frame.evaluate("document.activeElement.textContent.trim()"))
    assert walked[::-1] == names


def test_a_municipality_choice_sets_the_conversations_municipality(
        page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites)
    sent = answer_with(page, CHOOSER)
    ask(panel, "Vad kostar en pizza?")
    choice = last_answer(panel).get_by_role("group", name="Välj din kommun")
    choice.get_by_role("button", name="Krokom").focus()
    page.keyboard.press("Enter")
    expect(panel.locator("li.msg.me").last).to_contain_text("Vad kostar en pizza?")
    expect(last_answer(panel)).to_contain_text("Kontakta Lärcentrum Krokom")
    assert "municipality" not in sent[0]
    assert sent[1]["municipality"] == "krokom" and sent[1]["message"] == "Vad kostar en pizza?"
    expect(panel.locator("#navguide-input")).to_be_focused()
    ask(panel, "Var ligger lärcentrum?")  # a later question keeps the municipality
    assert sent[2]["municipality"] == "krokom"
    expect(last_answer(panel)).to_contain_text("Lärcentrum Krokom")
    panel.get_by_role("button", name="Ny konversation").click()  # and a new one drops it
    ask(panel, "Var ligger lärcentrum?")
    assert "municipality" not in sent[3]


def test_a_choice_in_english_is_labelled_in_english(page: Page, sites: Sites) -> None:
    panel = open_widget(page, sites, lang="en")
    answer_with(page, {**CLARIFY, "lang": "en", "text": "Do you mean Komvux or SFI?",
                       "html": "<p>Do you mean Komvux or SFI?</p>"})
    ask(panel, "komvux sfi")
    group = last_answer(panel).get_by_role("group", name="Choose what you mean")
    expect(group.get_by_role("button")).to_have_count(2)
    expect(panel.locator("#navguide-live")).to_contain_text("Choose what you mean:")


def test_end_to_end_small_talk_and_the_municipality_chooser_from_the_real_api(
        page: Page, sites: Sites) -> None:
    # No fake here: the conversation's own replies (issue 10) as the widget shows them.
    panel = open_widget(page, sites)
    frame = widget_frame(page, sites)
    ask(panel, "hej")
    expect(last_answer(panel)).to_contain_text("Hej!")
    # The answer is announced a moment after it is drawn; watch only after that.
    expect(panel.locator("#navguide-live")).to_contain_text("Hej!")
    frame.evaluate(WATCH_LIVE)
    ask(panel, "Jag vill prata med en människa")
    card = last_answer(panel).locator("article.card.handoff")
    expect(card).to_contain_text("prata med en studie- och yrkesvägledare")
    choice = last_answer(panel).get_by_role("group", name="Välj din kommun")
    expect(choice.get_by_role("button")).to_have_text(["Krokom", "Östersund"])
    expect(panel.locator("#navguide-live")).to_contain_text("Välj din kommun: Krokom, Östersund")
    panel.locator("#navguide-input").focus()
    for _ in range(4):  # back past "was this helpful?" to the choice
        page.keyboard.press("Shift+Tab")
    expect(choice.get_by_role("button", name="Krokom")).to_be_focused()
    with page.expect_request("**/api/chat") as sent:
        page.keyboard.press("Enter")
    assert sent.value.post_data_json["municipality"] == "krokom"
    expect(last_answer(panel).locator("article.card.centre")).to_contain_text("Lärcentrum Krokom")
    expect(panel.locator("#navguide-live")).to_contain_text("Lärcentrum Krokom")
    page.wait_for_timeout(300)
    assert len(frame.evaluate("window.said")) == 2  # one announcement per answer
