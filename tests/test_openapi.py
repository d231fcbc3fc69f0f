"""/api/openapi.json describes the API truly, and random requests never get a 5xx.

The fuzz run is Hypothesis with a fixed seed (the same requests on every run):
random JSON of every shape under the API's field names, and random bytes, sent
to a real server on 127.0.0.1; every response must be under 500 and match the
schema the document gives for its status.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from support import settings_for_tests

from navguide.server.app import create_app

API_METHODS = {"get", "post"}


class Server:
    """The app on a free port of 127.0.0.1, in a thread with its own event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from aiohttp import web

        asyncio.set_event_loop(self.loop)
        # limits off: the fuzz sends far more than any learner
        app = create_app(settings_for_tests(chat_per_minute=0, feedback_per_minute=0))
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()

    def __enter__(self) -> Server:
        self._thread.start()
        assert self._ready.wait(60)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Content-Type": content_type} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with Server() as running:
        yield running


@pytest.fixture(scope="module")
def document(server: Server) -> dict:
    status, _, body = server.request("GET", "/api/openapi.json")
    assert status == 200
    return json.loads(body)


def validator_for(document: dict, path: str, method: str, status: int) -> Draft202012Validator:
    responses = document["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} answered {status}, not described"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:navguide", Resource.from_contents(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", **document},
    ))
    ref = schema.get("$ref", "")
    wrapped = {"$ref": "urn:navguide" + ref} if ref else schema
    return Draft202012Validator(wrapped, registry=registry)


def check(document: dict, path: str, method: str, status: int, body: bytes) -> None:
    assert status < 500, body[:300]
    errors = sorted(validator_for(document, path, method, status).iter_errors(json.loads(body)),
                    key=str)
    assert not errors, f"{method.upper()} {path} {status}: {errors[0].message}"


def test_the_document_is_openapi_3_1_and_lists_every_api_route(document):
    assert document["openapi"] == "3.1.0"
    app = create_app(settings_for_tests())
    routes = {(r.resource.canonical, r.method.lower()) for r in app.router.routes()
              if r.resource is not None and r.resource.canonical.startswith("/api/")
              and r.method.lower() in API_METHODS}
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == described
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["responses"], operation["operationId"]
    Draft202012Validator.check_schema(document["components"]["schemas"]["Reply"])


def test_the_limits_in_the_document_are_the_settings(server, document):
    schema = document["components"]["schemas"]["ChatRequest"]
    assert schema["properties"]["message"]["maxLength"] == settings_for_tests().max_message_chars


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/chat", {"message": "Hur söker jag till komvux?"}),
    ("post", "/api/chat", {"message": "Var finns lärcentrum i Krokom?", "lang": "sv"}),
    ("post", "/api/chat", {"message": "How do I apply?", "lang": "en"}),
    ("post", "/api/chat", {"message": "Vad blir det för väder?"}),
    ("post", "/api/chat", {"message": ""}),
    ("post", "/api/chat", {"message": "hej", "municipality": "nowhere"}),
    ("post", "/api/chat", {"message": "hej", "context": {"messages": []}}),
    ("post", "/api/feedback", {"reply_id": "0" * 32, "helpful": True}),
    ("post", "/api/feedback", {"reply_id": "x"}),
    ("get", "/api/health", None),
    ("get", "/api/knowledge", None),
])
def test_answers_match_the_document(server, document, method, path, body):
    data = json.dumps(body).encode() if body is not None else None
    status, _, answer = server.request(method.upper(), path, data)
    check(document, path, method, status, answer)


def test_a_follow_up_with_the_context_matches_the_document(server, document):
    _, _, first = server.request("POST", "/api/chat",
                                 json.dumps({"message": "Hur söker jag till komvux?"}).encode())
    context = json.loads(first)["context"]
    status, _, answer = server.request("POST", "/api/chat", json.dumps(
        {"message": "och i Krokom då?", "context": context}).encode())
    assert status == 200
    check(document, "/api/chat", "post", status, answer)


FIELDS = ["message", "context", "municipality", "lang", "reply_id", "helpful", "messages", "sig"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=40) | st.sampled_from(["krokom", "sv", "en", "0" * 32, "\ud800", "➂"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=4),
    max_leaves=15,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=5).map(
        lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.integers(1, 4000).map(lambda n: b'{"message": ' + b"[" * n + b"}"),
)


@seed(11)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(["/api/chat", "/api/feedback"]), body=bodies,
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8",
                                     "text/plain", "application/x-www-form-urlencoded"]))
def test_random_requests_never_get_a_5xx_and_match_the_document(server, document, path, body,
                                                                content_type):
    status, headers, answer = server.request("POST", path, body, content_type)
    check(document, path, "post", status, answer)
    assert headers["X-Content-Type-Options"] == "nosniff"
