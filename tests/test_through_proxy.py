"""The API through a real nginx in front of `navguide serve --workers 2`.

`.ci/run` starts both (`.ci/nginx.sh`) and sets NAVGUIDE_TEST_PROXY_URL;
without it these are skipped, saying so. The answers must match the OpenAPI
document, a conversation must continue whichever worker gets the next
message, and rate limits must count the learner named by nginx's
`X-Forwarded-For`, not nginx.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, seed, settings
from test_openapi import bodies, check

URL = os.environ.get("NAVGUIDE_TEST_PROXY_URL", "")
pytestmark = pytest.mark.skipif(
    not URL, reason="NAVGUIDE_TEST_PROXY_URL is not set; .ci/run starts nginx and sets it")
_learners = itertools.count(1)


def learner() -> str:
    """A fresh learner's address, as a client in front of nginx would send it."""
    n = next(_learners)
    return f"203.0.{n // 250 % 250}.{n % 250 + 1}"


def request(method: str, path: str, body: bytes | None = None, client: str | None = None,
            content_type: str = "application/json") -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(URL)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        headers = {"X-Forwarded-For": client or learner()}
        if body is not None:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def document() -> dict:
    status, _, body = request("GET", "/api/openapi.json")
    assert status == 200
    return json.loads(body)


def test_health_through_nginx_has_navguides_headers():
    status, headers, body = request("GET", "/api/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


def test_a_conversation_continues_on_either_worker(document):
    context = None
    client = learner()
    for message in ("Hur söker jag till komvux?", "och i Krokom då?", "när börjar den?",
                    "tack", "Var finns lärcentrum i Krokom?", "vad kostar det?"):
        status, _, body = request("POST", "/api/chat", json.dumps(
            {"message": message, "context": context}).encode(), client=client)
        check(document, "/api/chat", "post", status, body)
        assert status == 200
        context = json.loads(body)["context"]


@pytest.mark.parametrize(("path", "body"), [
    ("/api/chat", b"[" * 5000),
    ("/api/chat", b'{"message": "\\ud800"}'),
    ("/api/chat", b'{"message": ""}'),
    ("/api/chat", b'{"message": "x"' + b" " * 20000 + b"}"),
    ("/api/feedback", b'{"reply_id": "0", "helpful": true}'),
])
def test_bad_requests_get_the_error_shape_through_nginx(document, path, body):
    status, _, answer = request("POST", path, body)
    assert 400 <= status < 500
    if status == 413 and not answer.startswith(b"{"):
        return  # nginx's own limit (client_max_body_size) answered first
    check(document, path, "post", status, answer)


def test_a_body_in_pieces_through_nginx():
    parts = urlsplit(URL)
    body = json.dumps({"message": "Hur söker jag till komvux?"}).encode()
    head = (f"POST /api/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection((parts.hostname, parts.port), 10) as sock:
        sock.sendall(head + body[:7])
        sock.sendall(body[7:])
        answer = sock.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_the_learner_named_by_nginx_is_limited_not_nginx():
    flood = learner()
    statuses = [request("POST", "/api/chat", b'{"message": "komvux"}', client=flood)[0]
                for _ in range(70)]
    # 30 a minute for the client across both workers (plus what refills meanwhile)
    assert 30 <= statuses.count(200) <= 40
    assert statuses.count(429) >= 10
    assert request("POST", "/api/chat", b'{"message": "komvux"}')[0] == 200  # someone else


@seed(11)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_random_bodies_through_nginx_never_get_a_5xx(document, body):
    status, _, answer = request("POST", "/api/chat", body)
    assert status < 500, answer[:300]
    if answer.startswith(b"{"):
        check(document, "/api/chat", "post", status, answer)
