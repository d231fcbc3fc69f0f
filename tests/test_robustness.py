"""What a client can send never breaks the server, slows it for others or loses a record.

Raw sockets on 127.0.0.1 for what a test client cannot send: a body in pieces,
a body that never arrives, a client that hangs up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import pytest
from support import settings_for_tests, settled

from navguide.server.api import MAX_WORDS, bounded
from navguide.server.app import create_app

CHAT = {"message": "Hur söker jag till komvux?"}


async def raw(server, data: bytes, pause_after: int | None = None, pause: float = 0.0,
              read: bool = True) -> bytes:  # type: ignore[no-untyped-def]
    """Send `data` (split at `pause_after`, with a pause between), return the response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    if pause_after is None:
        writer.write(data)
    else:
        writer.write(data[:pause_after])
        await writer.drain()
        await asyncio.sleep(pause)
        writer.write(data[pause_after:])
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 20) if read else b""
    writer.close()
    return answer


def post(path: str, body: bytes, content_type: str = "application/json",
         length: int | None = None) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\n\r\n")
    return head.encode() + body


@pytest.fixture
async def server(aiohttp_server):  # type: ignore[no-untyped-def]
    return await aiohttp_server(create_app(settings_for_tests(body_timeout=1)))


async def test_a_body_split_over_two_packets_is_read_whole(server):
    body = json.dumps(CHAT).encode()
    answer = await raw(server, post("/api/chat", body), pause_after=len(post("/api/chat", b""))
                       + 10, pause=0.2)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


async def test_a_chunked_body_is_read_whole(server):
    body = json.dumps(CHAT).encode()
    data = (b"POST /api/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + f"{10:x}\r\n".encode() + body[:10] + b"\r\n"
            + f"{len(body) - 10:x}\r\n".encode() + body[10:] + b"\r\n0\r\n\r\n")
    answer = await raw(server, data, pause_after=120, pause=0.1)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


async def test_a_chunked_body_over_the_limit_is_413(server):
    chunk = b"x" * 20000
    data = (b"POST /api/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n")
    answer = await raw(server, data)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"body_too_large"' in answer


@pytest.mark.parametrize("path", ["/api/chat", "/chat", "/api/feedback"])
async def test_a_body_that_never_arrives_times_out(server, path, caplog):
    start = time.monotonic()
    with caplog.at_level(logging.INFO):
        answer = await raw(server, post(path, b"message=", "application/x-www-form-urlencoded",
                                        length=100_000_000 if path == "/chat" else 10_000))
    assert time.monotonic() - start < 5
    assert answer.startswith(b"HTTP/1.1 408") or answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_client_hanging_up_mid_body_logs_one_line_not_a_traceback(server, caplog):
    with caplog.at_level(logging.DEBUG):
        await raw(server, post("/chat", b"message=hej", "application/x-www-form-urlencoded",
                               length=5000), read=False)
        await raw(server, post("/api/chat", b'{"mess', length=5000), read=False)
        await asyncio.sleep(0.3)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


NASTY_JSON = [
    b"[" * 5000,
    b'{"message": ' + b"[" * 5000 + b"}",
    b'{"message": "\\ud800"}',
    b'{"message": "hej \\ud83d"}',
    b'{"message": "\xff\xfe"}',
    b'{"message": "Jag \xc3\xa4r \xe2\x9e\x82 \xc3\xa5r"}',  # "Jag är ➂ år"
    b'{"message": "hej", "lang": ' + b"9" * 5000 + b"}",
    b'{"message": "hej", "municipality": ' + b"9" * 5000 + b"}",
    b'{"message": "hej", "municipality": [1, 2]}',
    b'{"message": "hej", "context": {"messages": [], "municipality": null, "sig": "\xc3\xa5"}}',
    b'{"message": "hej", "context": {"messages": ["\\ud800"], "municipality": null, "sig": "'
    + b"0" * 64 + b'"}}',
    b'{"message": 1e999}',
    b'{"message": "' + "å".encode() * 900 + b'"}',
]


@pytest.mark.parametrize("body", NASTY_JSON, ids=range(len(NASTY_JSON)))
@pytest.mark.parametrize("path", ["/api/chat", "/api/feedback"])
async def test_nasty_json_gets_a_4xx_in_the_error_shape(aiohttp_client, path, body, caplog):
    client = await aiohttp_client(create_app(settings_for_tests()))
    with caplog.at_level(logging.INFO):
        response = await client.post(path, data=body,
                                     headers={"Content-Type": "application/json"})
    if response.status == 200:  # a fair message, answered
        assert path == "/api/chat"
        return
    assert 400 <= response.status < 500, await response.text()
    error = (await response.json())["error"]
    assert set(error) == {"code", "message"}
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize(("method", "path", "body", "ctype"), [
    ("GET", "/chat?q=Jag+%C3%A4r+%E2%9E%82+%C3%A5r", None, None),
    ("GET", "/chat?q=%ED%A0%80", None, None),
    ("POST", "/chat", "context=" + "[" * 3000 + "&message=hej",
     "application/x-www-form-urlencoded"),
    ("POST", "/chat", b"\xff\xfe=\xff", "application/x-www-form-urlencoded"),
    ("POST", "/chat", b"message=\xff", "application/x-www-form-urlencoded"),
    ("POST", "/chat", "message=%ED%A0%80", "application/x-www-form-urlencoded"),
    ("GET", "/admin?since=99999999999d", None, None),
])
async def test_nasty_pages_are_never_a_500(aiohttp_client, tmp_path, method, path, body, ctype,
                                           caplog):
    client = await aiohttp_client(create_app(settings_for_tests(admin_token="t" * 32)))
    headers = {"Authorization": "Bearer " + "t" * 32}
    if ctype:
        headers["Content-Type"] = ctype
    with caplog.at_level(logging.INFO):
        response = await client.request(method, path, data=body, headers=headers)
    assert response.status < 500, await response.text()
    assert not [r for r in caplog.records if r.exc_info]


def test_a_long_message_is_bounded_for_the_matcher_keeping_its_ends():
    story = " ".join(f"ord{n}" for n in range(300)) + " hur söker jag till komvux?"
    words = bounded(story).split()
    assert len(words) <= MAX_WORDS + 1
    assert words[0] == "ord0" and words[-1] == "komvux?"
    short = "Hur söker jag till komvux?"
    assert bounded(short) == short


async def test_a_slow_message_does_not_stall_the_others(aiohttp_client, monkeypatch):
    app = create_app(settings_for_tests(matcher_threads=2))
    client = await aiohttp_client(app)
    from navguide.server.keys import holder_key

    await settled(app)
    matcher = app[holder_key].current.matcher
    real = matcher.reply

    def slow(messages, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "långsam" in messages[-1]:
            time.sleep(1.0)
        return real(messages, *args, **kwargs)

    monkeypatch.setattr(matcher, "reply", slow)
    slow_one = asyncio.create_task(client.post("/api/chat", json={"message": "långsam fråga"}))
    await asyncio.sleep(0.1)
    start = time.monotonic()
    quick = await client.post("/api/chat", json=CHAT)
    health = await client.get("/api/health")
    assert quick.status == 200 and health.status == 200
    assert time.monotonic() - start < 0.8
    assert (await slow_one).status == 200


async def test_past_the_matcher_queue_a_message_is_refused_at_once_with_503(
        aiohttp_client, monkeypatch, tmp_path):
    from navguide.records import recorder_key, store_key
    from navguide.records.store import hours_ago
    from navguide.server.api import pool_key
    from navguide.server.keys import holder_key

    app = create_app(settings_for_tests(matcher_threads=1, matcher_queue=1, record=True,
                                        database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}"))
    client = await aiohttp_client(app)
    await settled(app)
    matcher = app[holder_key].current.matcher
    real = matcher.reply
    release = threading.Event()

    def held(messages, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "långsam" in messages[-1]:
            release.wait(10)
        return real(messages, *args, **kwargs)

    monkeypatch.setattr(matcher, "reply", held)
    pool = app[pool_key]
    try:
        held_ones = [asyncio.create_task(client.post("/api/chat", json={"message": "långsam"}))
                     for _ in range(2)]  # one running, one waiting: the pool is full
        for _ in range(500):
            if pool.in_hand == 2:
                break
            await asyncio.sleep(0.01)
        assert pool.in_hand == 2
        start = time.monotonic()
        refused = await client.post("/api/chat", json=CHAT)
        assert refused.status == 503
        assert time.monotonic() - start < 2  # at once, not after the held ones
        assert refused.headers["Retry-After"] == "1"
        assert (await refused.json())["error"]["code"] == "busy"
        page = await client.post("/chat", data={"message": "komvux"})
        assert page.status == 503 and page.headers["Retry-After"] == "1"
        assert "Just nu kommer det många frågor" in await page.text()
        assert (await client.get("/api/health")).status == 200
    finally:
        release.set()
    assert [(await t).status for t in held_ones] == [200, 200]
    assert (await client.post("/api/chat", json=CHAT)).status == 200  # room again
    await app[recorder_key].flush()
    assert len(app[store_key].rows(hours_ago(1))) == 3  # refused messages are not recorded


async def test_every_response_has_nosniff_cache_control_and_no_version(aiohttp_client):
    client = await aiohttp_client(create_app(settings_for_tests()))
    for method, path, kwargs in [("POST", "/api/chat", {"json": CHAT}),
                                 ("POST", "/api/chat", {"json": {}}),
                                 ("GET", "/api/health", {}), ("GET", "/api/nowhere", {}),
                                 ("GET", "/chat?q=komvux", {}), ("GET", "/", {}),
                                 ("GET", "/widget/panel.js", {}), ("GET", "/metrics", {})]:
        response = await client.request(method, path, **kwargs)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Cache-Control"], path
        assert response.headers["Server"] == "navguide", path
    page = await client.get("/chat?q=komvux")
    assert page.headers["Cache-Control"] == "no-store"  # the question is in the page
    assert "Content-Security-Policy" in page.headers
