"""A conversation, not a lookup: small talk, a path to a person, follow-ups that
keep to what was shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import KNOWLEDGE, TESTS, fitted_knowledge

from navguide.holder import build
from navguide.knowledge.loader import load_knowledge
from navguide.matcher import Matcher
from navguide.matcher.followups import Shown
from navguide.matcher.smalltalk import SmallTalkMatcher, builtin_smalltalk
from navguide.render import reply_payload

STARTER = TESTS.parent / "knowledge"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return fitted_knowledge(KNOWLEDGE).matcher


@pytest.fixture(scope="module")
def starter() -> Matcher:
    return fitted_knowledge(STARTER).matcher


@pytest.mark.parametrize(
    ("message", "entry", "lang"),
    [
        ("hej", "greeting", "sv"),
        ("Hej!", "greeting", "sv"),
        ("tack så mycket!", "thanks", "sv"),
        ("thanks!", "thanks", "en"),
        ("vem är du?", "who-are-you", "sv"),
        ("are you a bot?", "who-are-you", "en"),
        ("Hej då", "goodbye", "sv"),
        ("vad kan du?", "what-can-you-do", "sv"),
        ("hej, tack för hjälpen", "thanks", "sv"),
    ],
)
def test_small_talk_is_answered_in_kind(
    matcher: Matcher, message: str, entry: str, lang: str
) -> None:
    reply = matcher.reply([message])
    assert reply.kind == "smalltalk"
    assert reply.smalltalk is not None and reply.smalltalk.id == entry
    assert reply.lang == lang
    assert not reply.handoff
    payload = reply_payload(reply, matcher.knowledge)
    assert payload["text"] and "tyvärr" not in str(payload["text"])
    assert payload["suggestions"]  # something to ask next


@pytest.mark.parametrize(
    "message", ["hej, hur söker jag till komvux?", "Hej! Har ni komvux i Krokom?",
                "tack, men när börjar kursen?"])
def test_a_question_with_a_greeting_is_a_question(matcher: Matcher, message: str) -> None:
    assert matcher.reply([message]).kind != "smalltalk"


def test_the_knowledge_folder_overrides_and_adds_small_talk(tmp_path: Path) -> None:
    for source in KNOWLEDGE.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), "utf-8")
    (tmp_path / "smalltalk.yaml").write_text(
        "smalltalk:\n"
        "  - id: greeting\n"
        "    questions: [hej]\n"
        "    answer: Välkommen till vägledningen i Krokom!\n"
        "    related: [csn-studiemedel]\n"
        "  - id: fika\n"
        "    questions: [god fika]\n"
        "    answer: Mums!\n", "utf-8")
    knowledge, problems = load_knowledge(tmp_path)
    assert not [p for p in problems if p.severity == "error"]
    matcher = Matcher(knowledge)
    reply = matcher.reply(["hej"])
    payload = reply_payload(reply, knowledge)
    assert payload["text"] == "Välkommen till vägledningen i Krokom!"
    assert [s["message"] for s in payload["suggestions"]] == [  # type: ignore[index]
        knowledge.entry("csn-studiemedel").questions[0]]  # type: ignore[union-attr]
    assert matcher.reply(["god fika!"]).smalltalk.id == "fika"  # type: ignore[union-attr]
    assert matcher.reply(["tack"]).smalltalk.id == "thanks"  # type: ignore[union-attr]


def test_small_talk_related_to_an_unknown_topic_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "smalltalk:\n  - id: hi\n    questions: [hi]\n    answer: Hi!\n"
        "    related: [nope]\n", "utf-8")
    _, problems = load_knowledge(tmp_path)
    assert any("unknown topic id 'nope'" in p.message for p in problems)


def test_the_builtin_small_talk_loads_in_both_languages() -> None:
    talk = builtin_smalltalk()
    assert {"greeting", "thanks", "goodbye", "who-are-you", "what-can-you-do", "person"} <= {
        t.id for t in talk}
    assert all(t.en.get("questions") and t.en.get("answer") for t in talk)


def test_small_talk_never_hears_a_long_question() -> None:
    heard = SmallTalkMatcher(build(KNOWLEDGE).knowledge)
    assert heard.hear("Hej, jag undrar om jag kan få CSN för komvux?") is None


@pytest.mark.parametrize("message", ["Jag vill prata med en människa",
                                     "I want to talk to a real person", "kan jag ringa någon?"])
def test_asking_for_a_person_gives_the_way_to_one(matcher: Matcher, message: str) -> None:
    reply = matcher.reply([message], "krokom")
    assert reply.handoff
    assert reply.centre is not None and reply.centre.id == "larcentrum-krokom"
    text = str(reply_payload(reply, matcher.knowledge)["text"])
    assert "tyvärr" not in text and "sorry" not in text
    assert "0000-00 00 01" in text  # the centre's phone


def test_a_handoff_with_no_place_offers_every_municipality(matcher: Matcher) -> None:
    reply = matcher.reply(["Jag vill prata med en människa"])
    payload = reply_payload(reply, matcher.knowledge)
    assert payload["choice"] == "municipality"
    assert [(s["label"], s["municipality"]) for s in payload["suggestions"]] == [  # type: ignore[index, union-attr]
        (m.name, m.id) for m in matcher.knowledge.municipalities]
    chosen = payload["suggestions"][0]  # type: ignore[index]
    then = matcher.reply(["Jag vill prata med en människa", chosen["message"]],
                         chosen["municipality"], shown=Shown.of(reply))
    assert then.municipality == chosen["municipality"]
    assert then.centre is not None or then.kind == "centre"
    assert not then.handoff


def test_when_does_it_start_after_a_topic_and_a_place_keeps_to_them(starter: Matcher) -> None:
    # The starter knowledge has no SFI course in Krokom: the honest reply says so.
    first = starter.reply(["sfi i krokom"])
    reply = starter.reply(["sfi i krokom", "när börjar kursen?"], shown=Shown.of(first))
    assert reply.kind == "courses" and not reply.entries
    text = str(reply_payload(reply, starter.knowledge)["text"])
    assert "sfi" in text and "Krokom" in text
    assert reply.centre is not None and reply.centre.municipality == "krokom"


def test_when_does_it_start_without_a_course_for_it_says_none(starter: Matcher) -> None:
    reply = starter.reply(["jag vill läsa till undersköterska", "när börjar den?"])
    assert not any(e.kind == "course" for e in reply.entries)


def test_the_second_one_picks_from_the_list_shown(matcher: Matcher) -> None:
    listed = matcher.reply(["Vilka komvuxkurser finns i Åre?"])
    assert listed.kind == "courses" and len(listed.entries) >= 2
    for words, position in (("den andra", 1), ("the second one", 1), ("den första", 0),
                            ("2", 1), ("den sista", -1)):
        reply = matcher.reply(["Vilka komvuxkurser finns i Åre?", words],
                              shown=Shown.of(listed))
        assert reply.kind == "course"
        assert reply.entries[0].id == listed.entries[position].id, words


def test_and_in_are_then_asks_the_same_there(matcher: Matcher) -> None:
    first = matcher.reply(["Vilka öppettider har lärcentrum i Krokom?"])
    reply = matcher.reply(["Vilka öppettider har lärcentrum i Krokom?", "och i Åre då?"],
                          shown=Shown.of(first))
    assert reply.ids[0] == "larcentrum-are"


def test_a_follow_up_never_shows_a_course_of_another_place_or_form(matcher: Matcher) -> None:
    first = matcher.reply(["Vilka komvuxkurser finns i Åre?"])
    reply = matcher.reply(["Vilka komvuxkurser finns i Åre?", "när börjar kursen?"],
                          shown=Shown.of(first))
    for entry in reply.entries:
        if entry.kind == "course":
            assert entry.category == "komvux"  # type: ignore[union-attr]
            assert entry.municipality == "are" or entry.distance  # type: ignore[union-attr]


def test_a_context_naming_entries_the_knowledge_lost_is_answered_afresh(matcher: Matcher) -> None:
    gone = Shown("courses", ("no-such-course", "nor-this"), "krokom", "komvux")
    reply = matcher.reply(["Vilka komvuxkurser finns i Åre?", "den andra"], shown=gone)
    assert reply.kind == "course"  # the list was answered again, then picked from


def test_what_does_it_cost_after_a_course_asks_about_its_school_form() -> None:
    from support import BENCH

    if not (BENCH / "knowledge").is_dir():
        pytest.skip("the benchmark knowledge sits beside the repository")
    bench = build(BENCH / "knowledge").matcher
    asked = ["Finns det kockutbildning i Östersund?", "vad kostar det?"]
    course = bench.reply(asked[:1])
    assert course.kind == "course" and course.category == "komvux"
    reply = bench.reply(asked, shown=Shown.of(course))
    assert reply.ids[0] == "komvux-kostnad"


def test_a_clarify_offers_each_entry_and_each_answers_with_it(starter: Matcher) -> None:
    from navguide.matcher import Reply

    knowledge = starter.knowledge
    entries = [knowledge.entry(i) for i in ("komvux-ansokan", "sfi-ansokan", "hogskola-ansokan")]
    reply = Reply("clarify", "sv", entries)  # type: ignore[arg-type]
    payload = reply_payload(reply, knowledge)
    assert payload["text"] == "Menar du något av det här?"
    assert payload["choice"] == "entry"
    assert payload["ids"] == [e.id for e in entries]  # type: ignore[union-attr]
    for entry, suggestion in zip(entries, payload["suggestions"], strict=True):  # type: ignore[arg-type]
        assert suggestion["label"] == entry.title  # type: ignore[union-attr]
        answered = starter.reply(["ansökan", suggestion["message"]], shown=Shown.of(reply))
        assert answered.ids[0] == entry.id  # type: ignore[union-attr]
    picked = starter.reply(["ansökan", "den andra"], shown=Shown.of(reply))
    assert picked.ids[0] == "sfi-ansokan"
