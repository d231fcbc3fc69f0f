"""/admin: only with a configured token, compared in constant time."""

from __future__ import annotations

import hmac

from counsellor_support import copy_knowledge, settings_for

from navguide.records import recorder_key
from navguide.server.admin import auth
from navguide.server.app import create_app
from navguide.server.keys import holder_key
from navguide.server.reload import reloader_key

TOKEN = "a-long-random-admin-token-for-tests"


async def admin_client(aiohttp_client, tmp_path, **settings):  # type: ignore[no-untyped-def]
    app = create_app(settings_for(tmp_path, admin_token=TOKEN, **settings))
    return app, await aiohttp_client(app)


async def test_no_token_configured_means_no_admin_page(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(settings_for(tmp_path)))
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": f"Bearer {TOKEN}"}):
        assert (await client.get("/admin", headers=headers)).status == 404
    assert (await client.post("/admin/login", data={"token": ""})).status == 404


async def test_without_a_token_the_page_asks_for_one(aiohttp_client, tmp_path):
    _, client = await admin_client(aiohttp_client, tmp_path)
    response = await client.get("/admin")
    assert response.status == 401
    page = await response.text()
    assert 'name="token"' in page and "Kunskapen" not in page


async def test_a_wrong_token_is_refused(aiohttp_client, tmp_path):
    _, client = await admin_client(aiohttp_client, tmp_path)
    for header in (f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN[:-1]):
        response = await client.get("/admin", headers={"Authorization": header})
        assert response.status == 403, header
        assert "Kunskapen" not in await response.text()
    response = await client.post("/admin/login", data={"token": "guess"}, allow_redirects=False)
    assert response.status == 403
    assert "set-cookie" not in response.headers
    client.session.cookie_jar.update_cookies({auth.COOKIE: "0" * 64})
    assert (await client.get("/admin")).status == 403


async def test_the_right_token_opens_the_page(aiohttp_client, tmp_path):
    _, client = await admin_client(aiohttp_client, tmp_path)
    response = await client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    page = await response.text()
    assert "Kunskapen" in page and "Vad eleverna frågade" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


async def test_sign_in_with_the_form_sets_a_cookie_without_the_token(aiohttp_client, tmp_path):
    _, client = await admin_client(aiohttp_client, tmp_path)
    response = await client.post("/admin/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.status == 303
    cookie = response.cookies[auth.COOKIE]
    assert TOKEN not in cookie.value
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/admin"
    assert (await client.get("/admin")).status == 200
    await client.post("/admin/logout", allow_redirects=False)
    client.session.cookie_jar.clear()
    assert (await client.get("/admin")).status == 401


def test_tokens_are_compared_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.token_matches(TOKEN, TOKEN)
    assert not auth.token_matches("wrong", TOKEN)
    assert not auth.token_matches("", "")  # an empty token never opens anything
    assert calls == [(TOKEN.encode(), TOKEN.encode()), (b"wrong", TOKEN.encode())]


async def test_the_page_shows_a_rejected_edit_and_the_report(aiohttp_client, tmp_path):
    knowledge = copy_knowledge(tmp_path)
    app, client = await admin_client(aiohttp_client, tmp_path, knowledge=knowledge)
    await client.post("/api/chat", json={
        "message": "Vad blir det för väder imorgon? Jag heter Anna", "municipality": "krokom"})
    await app[recorder_key].flush()
    (knowledge / "fel.yaml").write_text("topics:\n  - id: fel\n    titel: Fel\n",
                                        encoding="utf-8")
    assert not await app[reloader_key].reload("test")
    assert app[holder_key].rejected
    headers = {"Authorization": f"Bearer {TOKEN}"}
    page = await (await client.get("/admin?since=1d&municipality=krokom",
                                   headers=headers)).text()
    assert "Den senaste ändringen avvisades" in page
    assert "fel.yaml:3:5: unknown field `titel`" in page
    assert "Vad blir det för väder imorgon? Jag heter [namn]" in page
    assert "Anna" not in page


async def test_learner_text_is_escaped_on_the_page(aiohttp_client, tmp_path):
    app, client = await admin_client(aiohttp_client, tmp_path)
    await client.post("/api/chat", json={"message": "<script>alert(1)</script> väder?"})
    await app[recorder_key].flush()
    page = await (await client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})).text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


async def test_admin_page_when_recording_is_off(aiohttp_client, tmp_path):
    _, client = await admin_client(aiohttp_client, tmp_path, record=False)
    page = await (await client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})).text()
    assert "Inget sparas" in page


async def test_the_page_counts_requests_for_a_person_apart(aiohttp_client, tmp_path):
    app, client = await admin_client(aiohttp_client, tmp_path)
    for message in ("Jag vill prata med en människa", "Kan jag få prata med en riktig person?",
                    "Vad blir det för väder imorgon?"):
        await client.post("/api/chat", json={"message": message, "municipality": "krokom"})
    await app[recorder_key].flush()
    page = await (await client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})).text()
    assert ("varav 1 lämnades vidare till en vägledare och 2 bad att få prata med en människa"
            in page)
    section = page.split("<h3>Bad att få prata med en människa</h3>")[1].split("<h3>")[0]
    assert '<td class="n">2</td><td>Krokom</td>' in section
    handed_off = page.split("<h3>Frågor navguide lämnade vidare</h3>")[1].split("<h3>")[0]
    assert "Vad blir det för väder imorgon?" in handed_off
    assert "människa" not in handed_off and "riktig person" not in handed_off
