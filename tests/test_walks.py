"""Walks over whole knowledge folders (the starter knowledge and the benchmark's):
every entry's own questions answer it, and every suggestion of every card, sent,
gives a reply other than the one it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import BENCH, TESTS

from navguide.holder import build
from navguide.knowledge.model import Centre, Course, Topic
from navguide.matcher import Matcher, Reply
from navguide.matcher.followups import Shown, restore
from navguide.matcher.own import own_questions
from navguide.render import reply_payload, suggestions_and_choice

FOLDERS = {"starter": TESTS.parent / "knowledge", "bench": BENCH / "knowledge"}


@pytest.fixture(scope="module", params=sorted(FOLDERS))
def matcher(request: pytest.FixtureRequest) -> Matcher:
    folder: Path = FOLDERS[request.param]
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here (the benchmark data sits beside the repository)")
    return build(folder).matcher


def test_every_own_question_answers_its_entry(matcher: Matcher) -> None:
    wrong = []
    for topic in matcher.knowledge.topics:
        for question in own_questions(topic):
            reply = matcher.reply([question], topic.municipality)
            if not reply.ids or reply.ids[0] != topic.id:
                wrong.append(f"{question!r} ({topic.id}) -> {reply.kind} {reply.ids[:2]}")
    assert not wrong, "\n".join(wrong)


def _cards(matcher: Matcher) -> list[tuple[str, Reply]]:
    """Every card the knowledge can show, with the message that asked for it."""
    knowledge = matcher.knowledge
    cards: list[tuple[str, Reply]] = []
    for lang in ("sv", "en"):
        for entry in (*knowledge.topics, *knowledge.courses, *knowledge.centres):
            asked = str(entry.text("title", lang))
            if isinstance(entry, Topic) and entry.questions:
                asked = own_questions(entry)[0] if lang == "sv" else str(
                    (entry.en.get("questions") or entry.questions)[0])  # type: ignore[index]
            muni = entry.municipality if isinstance(entry, Course | Centre) else None
            cards.append((asked, Reply(entry.kind, lang, [entry], muni)))  # type: ignore[arg-type]
        for question in ("hej", "Jag vill prata med en människa"):
            cards.append((question, matcher.reply([question], lang=lang)))
    return cards


def test_every_suggestion_leads_somewhere_else(matcher: Matcher) -> None:
    knowledge = matcher.knowledge
    same = []
    for asked, card in _cards(matcher):
        before = reply_payload(card, knowledge)
        offered, _ = suggestions_and_choice(card, knowledge)
        for suggestion in offered:
            muni = suggestion.get("municipality") or card.municipality
            reply = matcher.reply([asked, suggestion["message"]], muni, card.lang,
                                  Shown.of(card))
            after = reply_payload(reply, knowledge)
            if (after["kind"], after["ids"], after["text"]) == (
                before["kind"], before["ids"], before["text"]
            ):
                same.append(f"{card.kind} {card.ids[:1]} -> {suggestion['message']!r}")
    assert not same, "\n".join(same)


def test_no_suggestion_asks_for_a_field_the_entry_lacks(matcher: Matcher) -> None:
    knowledge = matcher.knowledge
    for centre in knowledge.centres:
        offered = [s["message"] for s in suggestions_and_choice(
            Reply("centre", "sv", [centre], centre.municipality), knowledge)[0]]
        assert "Vilka öppettider har ni?" not in offered, centre.id  # the card shows them
    for course in knowledge.courses:
        offered = [s["message"] for s in suggestions_and_choice(
            Reply("course", "sv", [course], course.municipality), knowledge)[0]]
        assert ("När börjar den?" in offered) == bool(course.start), course.id
        assert ("Går den på distans?" in offered) == course.distance, course.id


def test_every_reply_is_drawn_again_as_it_was_from_what_it_showed(matcher: Matcher) -> None:
    """/chat draws its earlier turns from each reply's signed `Shown` (no matching):
    every card, and every reply its suggestions lead to, comes back the same."""
    knowledge = matcher.knowledge
    changed = []
    for asked, card in _cards(matcher):
        replies = [card]
        for suggestion in suggestions_and_choice(card, knowledge)[0]:
            muni = suggestion.get("municipality") or card.municipality
            replies.append(matcher.reply([asked, suggestion["message"]], muni, card.lang,
                                         Shown.of(card)))
        for reply in replies:
            drawn = restore(Shown.of(reply), knowledge)
            if drawn is None or reply_payload(drawn, knowledge) != reply_payload(reply, knowledge):
                changed.append(f"{reply.kind} {reply.ids[:2]} ({asked!r})")
    assert not changed, "\n".join(changed)
