"""Rate limits, admin sessions, /api/health's store state and /metrics, through the app."""

from __future__ import annotations

import json
import re

from support import settings_for_tests

from navguide.records import recorder_key, store_key
from navguide.records.store import hours_ago
from navguide.server.admin import auth
from navguide.server.app import create_app

TOKEN = "a-long-random-admin-token-for-tests"


def settings_for(tmp_path, **overrides):  # type: ignore[no-untyped-def]
    """The test knowledge, recording into a SQLite file in tmp_path."""
    values = {"record": True, "database_url": f"sqlite:///{tmp_path / 'records.sqlite3'}"}
    return settings_for_tests(**{**values, **overrides})
CHAT = {"message": "Hur söker jag till komvux?"}


def learner(n: int) -> dict[str, str]:
    """Headers of a learner behind the (trusted, loopback) proxy."""
    return {"X-Forwarded-For": f"198.51.100.{n}"}


async def test_a_client_over_the_chat_limit_gets_429_and_others_do_not(aiohttp_client,
                                                                       tmp_path):
    app = create_app(settings_for(tmp_path, chat_per_minute=5))
    client = await aiohttp_client(app)
    statuses = [(await client.post("/api/chat", json=CHAT, headers=learner(1))).status
                for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    refused = await client.post("/api/chat", json=CHAT, headers=learner(1))
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) >= 1
    body = await refused.json()
    assert body["error"]["code"] == "rate_limited" and body["error"]["message"]
    # another learner is not refused, and the /chat form counts against the same limit
    assert (await client.post("/api/chat", json=CHAT, headers=learner(2))).status == 200
    page = await client.post("/chat", data={"message": "komvux"}, headers=learner(1))
    assert page.status == 429 and "Retry-After" in page.headers
    await app[recorder_key].flush()
    assert len(app[store_key].rows(hours_ago(1))) == 6  # refused messages are not recorded


async def test_an_untrusted_peer_cannot_dodge_the_limit_with_a_header(aiohttp_client):
    app = create_app(settings_for_tests(chat_per_minute=2, trusted_proxies=[]))
    client = await aiohttp_client(app)
    statuses = [(await client.post("/api/chat", json=CHAT, headers=learner(n))).status
                for n in range(4)]
    assert statuses == [200, 200, 429, 429]


async def test_feedback_is_limited(aiohttp_client):
    client = await aiohttp_client(create_app(settings_for_tests(feedback_per_minute=2)))
    body = {"reply_id": "0" * 32, "helpful": True}
    statuses = [(await client.post("/api/feedback", json=body)).status for _ in range(3)]
    assert statuses == [200, 200, 429]


async def test_admin_sign_in_attempts_are_limited(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(settings_for(tmp_path, admin_token=TOKEN)))
    statuses = [(await client.post("/admin/login", data={"token": "guess"})).status
                for _ in range(6)]
    assert statuses == [403] * 5 + [429]
    guessed = await client.get("/admin", headers={"Authorization": "Bearer guess"})
    assert guessed.status == 429
    assert "Retry-After" in guessed.headers


async def sign_in(client) -> str:  # type: ignore[no-untyped-def]
    response = await client.post("/admin/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.status == 303
    return response.cookies[auth.COOKIE].value


async def test_each_sign_in_is_a_new_session_ended_by_logout(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(settings_for(tmp_path, admin_token=TOKEN)))
    first = await sign_in(client)
    client.session.cookie_jar.clear()
    second = await sign_in(client)
    assert first != second and TOKEN not in first
    assert (await client.get("/admin")).status == 200
    await client.post("/admin/logout", allow_redirects=False)
    client.session.cookie_jar.update_cookies({auth.COOKIE: second})
    assert (await client.get("/admin")).status == 403  # the old cookie no longer opens it
    client.session.cookie_jar.update_cookies({auth.COOKIE: first})
    assert (await client.get("/admin")).status == 200  # the other session still does


async def test_a_session_made_by_one_process_opens_admin_on_another(aiohttp_client, tmp_path):
    settings = settings_for(tmp_path, admin_token=TOKEN)
    one = await aiohttp_client(create_app(settings))
    two = await aiohttp_client(create_app(settings))
    cookie = await sign_in(one)
    two.session.cookie_jar.update_cookies({auth.COOKIE: cookie})
    assert (await two.get("/admin")).status == 200


async def test_the_cookie_is_secure_behind_https(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(settings_for(
        tmp_path, admin_token=TOKEN, public_url="https://chat.example.se")))
    response = await client.post("/admin/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.cookies[auth.COOKIE]["secure"]


async def test_health_reports_the_store_and_degrades_while_it_cannot_write(aiohttp_client,
                                                                           tmp_path):
    ok = await aiohttp_client(create_app(settings_for(tmp_path)))
    body = await (await ok.get("/api/health")).json()
    assert body["status"] == "ok"
    assert body["records"] == {"state": "ok", "queued": 0, "written": 0, "dropped": 0}

    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'records.sqlite3'}"
    app = create_app(settings_for(tmp_path, database_url=url))
    app[recorder_key].retry_delays = ()
    client = await aiohttp_client(app)
    await client.post("/api/chat", json=CHAT)
    await app[recorder_key].flush()
    response = await client.get("/api/health")
    text = await response.text()
    body = await response.json()
    assert body["status"] == "degraded"
    assert body["records"]["state"] == "failing" and body["records"]["dropped"] == 1
    assert str(tmp_path) not in text and "sqlite3" not in text.lower().replace("sqlite3.", "")


async def test_health_names_no_server_paths_for_a_rejected_edit(aiohttp_client, tmp_path):
    from navguide.knowledge import Problem
    from navguide.server.keys import holder_key

    app = create_app(settings_for(tmp_path))
    app[holder_key].reject([Problem(str(tmp_path / "knowledge" / "topics.yaml"), 3, 1, "bad")])
    client = await aiohttp_client(app)
    body = await (await client.get("/api/health")).json()
    assert body["status"] == "degraded"
    assert body["last_edit"]["errors"] == 1
    assert body["last_edit"]["files"] == ["topics.yaml"]
    assert str(tmp_path) not in json.dumps(body)


async def test_metrics_in_the_prometheus_format(aiohttp_client, tmp_path):
    app = create_app(settings_for(tmp_path, chat_per_minute=1))
    client = await aiohttp_client(app)
    await client.post("/api/chat", json=CHAT)
    await client.post("/api/chat", json={"message": "Vad blir det för väder?"})  # limited
    await client.post("/api/chat", json={"message": "Vad blir det för väder?"},
                      headers=learner(9))
    await app[recorder_key].flush()
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    assert re.search(r'navguide_requests_total\{route="chat",status="200"\} 2\.0', text)
    assert re.search(r'navguide_requests_total\{route="chat",status="429"\} 1\.0', text)
    assert re.search(r'navguide_rate_limited_total\{route="chat"\} 1\.0', text)
    assert 'navguide_request_seconds_bucket{le="0.1",route="chat"}' in text
    assert re.search(r"navguide_handoffs_total 1\.0", text)
    assert re.search(r"navguide_records_written_total 2\.0", text)
    assert "navguide_records_dropped_total 0.0" in text
    assert re.search(r'navguide_knowledge_info\{version="[0-9a-f]+"\} 1\.0', text)
    assert "198.51.100" not in text  # nothing about who asked
