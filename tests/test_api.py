"""The chat API as the widget and other clients use it, errors included."""

from __future__ import annotations

import json

import pytest


def assert_error(body: object, code: str) -> None:
    """The one error shape every API error has."""
    assert isinstance(body, dict)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


async def ask(client, message: str, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    response = await client.post("/api/chat", json={"message": message, **extra})
    assert response.status == 200, await response.text()
    return await response.json()


async def test_a_topic_answer_with_links_and_follow_ups(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "hur söker jag till komvux")
    assert reply["kind"] == "topic"
    assert reply["ids"] == ["komvux-ansokan"]
    assert reply["handoff"] is False
    assert reply["lang"] == "sv"
    assert "hemkommun" in reply["text"]
    assert "<strong>din hemkommun</strong>" in reply["html"]
    assert {"title": "Skolverket", "url": "https://www.skolverket.se/"} in reply["links"]
    assert reply["suggestions"][0]["message"] == "Kan jag få CSN när jag läser på komvux?"
    assert reply["cards"][0]["type"] == "topic"


async def test_a_place_gets_its_learning_centre_card(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "Var kan jag skriva tentamen i Föllinge?")
    assert reply["kind"] == "centre"
    card = reply["cards"][0]
    assert card["id"] == "larcentrum-krokom"
    assert card["phone_href"] == "tel:0000000001"
    assert card["email_href"] == "mailto:larcentrum@krokom.example"
    assert card["hours"] == "Mån–fre 8–16"


async def test_english_question_gets_english_text(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "How do I apply to komvux?")
    assert reply["lang"] == "en"
    assert reply["ids"] == ["komvux-ansokan"]
    assert "home municipality" in reply["text"]


async def test_course_search_lists_courses_with_dates(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "Vilka utbildningar till undersköterska finns det?")
    assert reply["kind"] == "courses"
    assert set(reply["ids"]) == {"komvux-krokom-vard", "komvux-are-vard"}
    starts = {c["id"]: c["start"] for c in reply["cards"]}
    assert starts["komvux-krokom-vard"] == "2027-01-18"


async def test_out_of_scope_is_handed_off_honestly(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "Vad blir det för väder i Järpen imorgon?")
    assert reply["handoff"] is True
    assert reply["kind"] == "handoff"
    assert "Lärcentrum Åre" in reply["text"]  # the way to a counsellor where the learner is


async def test_context_carries_the_conversation(client) -> None:  # type: ignore[no-untyped-def]
    first = await ask(client, "Jag bor i Duved")
    second = await ask(client, "var kan jag plugga?", context=first["context"])
    assert second["kind"] == "centre"
    assert second["ids"][0] == "larcentrum-are"


async def test_municipality_preset_picks_the_local_centre(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "Var kan jag skriva min tenta?", municipality="are")
    assert reply["ids"][0] == "larcentrum-are"


async def test_forged_context_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    first = await ask(client, "Jag bor i Duved")
    forged = dict(first["context"], municipality="krokom")
    response = await client.post("/api/chat", json={"message": "hej", "context": forged})
    assert response.status == 400
    assert_error(await response.json(), "invalid_context")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (b"\xff\xfe", 400, "invalid_json"),
        (json.dumps({}).encode(), 400, "missing_message"),
        (json.dumps({"message": 42}).encode(), 400, "invalid_message"),
        (json.dumps({"message": "   "}).encode(), 400, "empty_message"),
        (json.dumps({"message": "x" * 1001}).encode(), 400, "message_too_long"),
        (json.dumps({"message": "hej", "municipality": "atlantis"}).encode(), 400,
         "unknown_municipality"),
        (json.dumps({"message": "hej", "municipality": 7}).encode(), 400, "unknown_municipality"),
        (json.dumps({"message": "hej", "lang": "fi"}).encode(), 400, "invalid_lang"),
        (json.dumps({"message": "hej", "context": "abc"}).encode(), 400, "invalid_context"),
        (json.dumps({"message": "hej", "context": {"messages": "x", "municipality": None,
                                                   "sig": "0"}}).encode(), 400,
         "invalid_context"),
    ],
)
async def test_bad_input_gets_one_json_error_shape(  # type: ignore[no-untyped-def]
    client, body: bytes, status: int, code: str
) -> None:
    response = await client.post(
        "/api/chat", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == status
    assert_error(await response.json(), code)


async def test_wrong_content_type(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/chat", data="message=hej",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 415
    assert_error(await response.json(), "unsupported_media_type")


async def test_body_over_the_limit(client) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"message": "hej", "pad": "x" * 20_000})
    response = await client.post("/api/chat", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert_error(await response.json(), "body_too_large")


async def test_unknown_api_path_and_method(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/api/nothing")
    assert response.status == 404
    assert_error(await response.json(), "not_found")
    response = await client.get("/api/chat")
    assert response.status == 405
    assert_error(await response.json(), "method_not_allowed")


async def test_feedback_is_validated(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "csn")
    good = await client.post("/api/feedback", json={"reply_id": reply["reply_id"],
                                                     "helpful": False})
    assert good.status == 200
    bad = await client.post("/api/feedback", json={"reply_id": "x", "helpful": "yes"})
    assert bad.status == 400
    assert_error(await bad.json(), "invalid_feedback")


async def test_health_and_knowledge(client) -> None:  # type: ignore[no-untyped-def]
    health = await (await client.get("/api/health")).json()
    assert health["status"] == "ok"
    info = await (await client.get("/api/knowledge")).json()
    assert info["counts"] == {"topics": 4, "courses": 6, "centres": 2, "municipalities": 2}
    assert info["version"] == health["knowledge"]
    assert {"id": "are", "name": "Åre"} in info["municipalities"]


def random_value(rng, depth: int = 0) -> object:  # type: ignore[no-untyped-def]
    choices = [
        lambda: rng.choice(["", " ", "csn", "<script>alert(1)</script>", "Åre", "\u0000",
                            "x" * rng.randint(0, 1200), "🙂" * 5, "ostersund", "krokom"]),
        lambda: rng.randint(-(2**40), 2**40),
        lambda: rng.random(),
        lambda: rng.choice([True, False, None]),
    ]
    if depth < 2:
        choices += [
            lambda: [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))],
            lambda: {rng.choice(["message", "context", "municipality", "lang", "messages",
                                "sig", "x"]): random_value(rng, depth + 1)
                     for _ in range(rng.randint(0, 4))},
        ]
    return rng.choice(choices)()


async def test_no_body_a_client_can_send_gets_a_500(client) -> None:  # type: ignore[no-untyped-def]
    import random

    rng = random.Random(7)
    for _ in range(300):
        body = {key: random_value(rng) for key in rng.sample(
            ["message", "context", "municipality", "lang", "extra"], rng.randint(0, 5))}
        if rng.random() < 0.5:
            body["message"] = random_value(rng)
        response = await client.post("/api/chat", data=json.dumps(body),
                                     headers={"Content-Type": "application/json"})
        assert response.status < 500, body
        reply = await response.json()
        assert ("error" in reply) == (response.status >= 400)


async def test_a_follow_up_on_a_course_answers_what_was_asked(client) -> None:  # type: ignore[no-untyped-def]
    first = await ask(client, "Finns det kockutbildning?")
    assert first["ids"][0] == "komvux-are-kock"
    second = await ask(client, "är den på distans?", context=first["context"])
    assert second["ids"][0] == "komvux-are-kock"
    assert second["text"].startswith("Nej, den läses **på plats**")
    third = await ask(client, "när börjar den?", context=second["context"])
    assert third["text"].startswith("Start: **löpande start**.")


# -- the conversation's new kinds and what the context carries (issue 10) -------------


async def test_small_talk_is_a_reply_of_its_own(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "Hej!")
    assert reply["kind"] == "smalltalk"
    assert reply["handoff"] is False
    assert reply["ids"] == []
    assert reply["suggestions"] and all(set(s) == {"label", "message"}
                                        for s in reply["suggestions"])


async def test_a_handoff_with_no_place_offers_the_municipalities(client) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(client, "I want to talk to a real person")
    assert reply["handoff"] is True
    assert reply["choice"] == "municipality"
    assert {s["municipality"] for s in reply["suggestions"]} == {"krokom", "are"}
    chosen = next(s for s in reply["suggestions"] if s["municipality"] == "are")
    then = await ask(client, chosen["message"], municipality=chosen["municipality"],
                     context=reply["context"])
    assert "larcentrum-are" in then["ids"]
    assert then["municipality"] == "are"
    later = await ask(client, "Var kan jag skriva min tenta?", context=then["context"])
    assert later["ids"][0] == "larcentrum-are"  # the choice is carried on


async def test_the_context_carries_what_the_reply_showed(client) -> None:  # type: ignore[no-untyped-def]
    first = await ask(client, "Vilka komvuxkurser finns i Åre?")
    shown = first["context"]["shown"]
    assert shown["kind"] == "courses" and shown["ids"] == first["ids"][:len(shown["ids"])]
    assert shown["municipality"] == "are" and shown["category"] == "komvux"
    second = await ask(client, "den andra", context=first["context"])
    assert second["kind"] == "course" and second["ids"][0] == shown["ids"][1]


async def test_a_changed_shown_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    first = await ask(client, "Vilka komvuxkurser finns i Åre?")
    context = first["context"]
    for change in ({"ids": ["komvux-krokom-vard"]}, {"kind": "nonsense"},
                   {"category": "x"}, {"subject": "x"}, {"talk": "greeting"},
                   {"centre": "Not An Id"}, {"focus": "start"}, {"extra": 1}):
        forged = dict(context, shown=dict(context["shown"], **change))
        response = await client.post("/api/chat", json={"message": "den andra",
                                                        "context": forged})
        assert response.status == 400
        assert_error(await response.json(), "invalid_context")


async def test_a_context_from_before_shown_still_continues(client) -> None:  # type: ignore[no-untyped-def]
    from navguide.server.conversation import make_context

    old = make_context(b"test-secret", ["Jag bor i Duved"], "are")
    assert "shown" not in old
    reply = await ask(client, "var kan jag plugga?", context=old)
    assert reply["ids"][0] == "larcentrum-are"


async def test_a_shown_from_before_centre_focus_and_talk_still_continues(client) -> None:  # type: ignore[no-untyped-def]
    from navguide.server.conversation import _signature

    first = await ask(client, "Vilka komvuxkurser finns i Åre?")
    old = dict(first["context"])
    old["shown"] = {k: v for k, v in old["shown"].items()
                    if k not in ("centre", "focus", "talk")}
    old["sig"] = _signature(b"test-secret", old["messages"], old["municipality"], old["shown"])
    second = await ask(client, "den andra", context=old)
    assert second["kind"] == "course" and second["ids"][0] == old["shown"]["ids"][1]


async def test_shown_ids_the_knowledge_lost_are_no_error(client) -> None:  # type: ignore[no-untyped-def]
    from navguide.matcher.followups import Shown
    from navguide.server.conversation import make_context

    gone = Shown("courses", ("removed-course", "also-removed"), "are", "komvux")
    context = make_context(b"test-secret", ["Vilka komvuxkurser finns i Åre?"], "are", gone)
    reply = await ask(client, "den andra", context=context)
    assert reply["kind"] == "course"
