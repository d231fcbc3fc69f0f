"""What a learner reads speaks to the learner: counsellors' notes and sourcing hedges stay
with the counsellors, and a centre card says where to find what the knowledge lacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from counsellor_support import copy_knowledge, settings_for
from support import STARTER

from navguide.cli import main
from navguide.knowledge import load_knowledge
from navguide.knowledge.model import Centre, Location
from navguide.render import details_at
from navguide.server.app import create_app

NOTE = "Bara för vägledare: källan är en gammal broschyr"
TOPIC = f"""topics:
  - id: simskola-vuxna
    title: Simskola för vuxna
    questions: [Finns det simskola för vuxna?]
    answer: Ja, fråga badhuset.
    note: "{NOTE}"
    en:
      title: Swimming lessons for adults
      questions: [Are there swimming lessons for adults?]
      answer: Yes, ask the swimming baths.
"""
TOKEN = "a-long-random-admin-token-for-tests"


async def test_a_note_reaches_counsellors_but_never_a_learner(aiohttp_client, tmp_path, capsys):
    knowledge = copy_knowledge(tmp_path)
    (knowledge / "simskola.yaml").write_text(TOPIC, encoding="utf-8")
    client = await aiohttp_client(create_app(settings_for(tmp_path, knowledge,
                                                          admin_token=TOKEN)))
    for message, lang in (("Finns det simskola för vuxna?", "sv"),
                          ("Are there swimming lessons for adults?", "en")):
        reply = await client.post("/api/chat", json={"message": message, "lang": lang})
        body = await reply.text()
        assert "simskola-vuxna" in body and "broschyr" not in body
    page = await (await client.get("/chat", params={"q": "Finns det simskola för vuxna?"})).text()
    assert "Fråga badhuset" in page.replace("fråga", "Fråga") and "broschyr" not in page
    admin = await (await client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})).text()
    assert NOTE in admin
    assert main(["check", "--verbose", str(knowledge)]) == 0
    assert f"note: 'simskola-vuxna': {NOTE}" in capsys.readouterr().out
    assert main(["check", str(knowledge)]) == 0
    assert "broschyr" not in capsys.readouterr().out  # notes are for --verbose


HEDGES = re.compile(r"enligt en äldre|according to an older|uppdaterad \w+ 20\d\d|"
                    r"page updated|vi har ännu ingen bekräftad|we do not yet have a confirmed",
                    re.IGNORECASE)


def test_the_starter_knowledge_speaks_to_the_learner() -> None:
    """Where a fact came from and how sure it is belongs in `note:`, not in the answer."""
    knowledge, _ = load_knowledge(STARTER)
    found = []
    for entry in (*knowledge.topics, *knowledge.courses, *knowledge.centres):
        for name in ("answer", "description"):
            for lang in ("sv", "en"):
                text = str((getattr(entry, name, "") and entry.text(name, lang)) or "")
                if HEDGES.search(text):
                    found.append(f"{entry.location} {entry.id} ({name}, {lang})")
    assert found == []
    assert knowledge.with_notes()  # the hedges were kept, for counsellors


def centre(**fields: object) -> Centre:
    values: dict[str, object] = {"id": "c", "name": "C", "municipality": "m",
                                 "location": Location("c.yaml", 1, 1)}
    return Centre(**(values | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(("fields", "sv", "en"), [
    ({"url": "https://www.bracke.se/"}, "Adress och öppettider finns på www.bracke.se.",
     "The address and opening hours are on www.bracke.se."),
    ({"url": "https://www.bracke.se/", "address": "Storgatan 1"},
     "Öppettiderna finns på www.bracke.se.", "The opening hours are on www.bracke.se."),
    ({"url": "https://www.bracke.se/", "hours": "Mån–fre 8–16"},
     "Adressen finns på www.bracke.se.", "The address is on www.bracke.se."),
    ({}, "Fråga kommunen om adress och öppettider.",
     "Ask the municipality for the address and opening hours."),
    ({"address": "Storgatan 1", "hours": "Mån–fre 8–16"}, None, None),
])
def test_a_centre_card_says_where_to_find_what_the_knowledge_lacks(fields, sv, en) -> None:
    assert details_at(centre(**fields), "sv") == sv
    assert details_at(centre(**fields), "en") == en


async def test_the_card_line_is_in_the_reply(aiohttp_client, tmp_path) -> None:
    client = await aiohttp_client(create_app(settings_for(tmp_path, STARTER)))
    reply = await (await client.post("/api/chat", json={
        "message": "Var ligger lärcentrum?", "municipality": "bracke"})).json()
    cards = [c for c in reply["cards"] if c["type"] == "centre"]
    assert cards and cards[0]["details_at"] == "Adress och öppettider finns på www.bracke.se."
    page = await (await client.get("/chat", params={
        "q": "Var ligger lärcentrum?", "municipality": "bracke"})).text()
    assert "Adress och öppettider finns på www.bracke.se." in page


def test_note_is_documented_for_counsellors() -> None:
    guide = (Path(__file__).resolve().parents[1] / "docs" / "radgivarguide.md").read_text(
        encoding="utf-8")
    assert "| `note` | nej |" in guide
