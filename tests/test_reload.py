"""Live edits: watched, checked in the background, swapped whole; broken edits never served."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import time
from pathlib import Path

import pytest
from counsellor_support import copy_knowledge, settings_for, wait_for
from support import CACHE

from navguide.server.app import create_app
from navguide.server.keys import holder_key
from navguide.server.reload import reloader_key

TOPIC = """
  - id: {id}
    title: {title}
    questions: [{question}]
    answer: {answer}
"""


def add_topic(folder: Path, name: str, id: str, question: str, answer: str) -> None:
    text = "topics:" + TOPIC.format(id=id, title=id.title(), question=question, answer=answer)
    (folder / name).write_text(text, encoding="utf-8")


async def version(client) -> str:  # type: ignore[no-untyped-def]
    return (await (await client.get("/api/knowledge")).json())["version"]


# How fast an edit goes live is a figure for a benchmark; on a loaded CI machine
# these only wait long enough to say that it does.
PATIENCE = 15.0


async def watching(client) -> None:  # type: ignore[no-untyped-def]
    """Until the watcher has taken its first look, an edit is part of what it starts from."""
    await asyncio.wait_for(client.server.app[reloader_key].watching.wait(), PATIENCE)


async def test_an_edit_goes_live_without_a_restart(aiohttp_client, tmp_path):
    knowledge = copy_knowledge(tmp_path)
    client = await aiohttp_client(create_app(settings_for(tmp_path, knowledge, watch=True)))
    before = await version(client)
    await watching(client)
    add_topic(knowledge, "ny.yaml", "simskola-vuxna", "Finns det simskola för vuxna?",
              "Ja, fråga badhuset.")

    async def swapped() -> bool:
        return await version(client) != before

    await wait_for(swapped, timeout=PATIENCE)
    reply = await (await client.post("/api/chat",
                                     json={"message": "Finns det simskola för vuxna?"})).json()
    assert reply["ids"] == ["simskola-vuxna"]


async def test_a_broken_edit_is_never_served(aiohttp_client, tmp_path, caplog):
    knowledge = copy_knowledge(tmp_path)
    client = await aiohttp_client(create_app(settings_for(tmp_path, knowledge, watch=True)))
    before = await version(client)
    await watching(client)
    (knowledge / "trasig.yaml").write_text(
        "topics:\n  - id: trasig\n    title: Trasig\n    quesitons: [Hej?]\n    answer: x\n",
        encoding="utf-8")

    async def degraded() -> bool:
        return (await (await client.get("/api/health")).json())["status"] == "degraded"

    await wait_for(degraded, timeout=PATIENCE)
    health = await (await client.get("/api/health")).json()
    assert health["last_edit"]["rejected"] is True
    assert health["knowledge"] == before
    assert health["last_edit"]["errors"] == 1
    assert health["last_edit"]["files"] == ["trasig.yaml"]  # relative to the folder
    assert caplog.text.count("trasig.yaml:4:5: unknown field `quesitons`") == 1
    # the last good knowledge keeps answering
    response = await client.post("/api/chat", json={"message": "Hur söker jag till komvux?"})
    assert response.status == 200
    assert await version(client) == before

    (knowledge / "trasig.yaml").unlink()

    async def healthy() -> bool:
        return (await (await client.get("/api/health")).json())["status"] == "ok"

    await wait_for(healthy, timeout=PATIENCE)
    assert "last_edit" not in await (await client.get("/api/health")).json()


async def test_no_watch_leaves_the_knowledge_alone(aiohttp_client, tmp_path):
    knowledge = copy_knowledge(tmp_path)
    client = await aiohttp_client(create_app(settings_for(tmp_path, knowledge, watch=False)))
    before = await version(client)
    add_topic(knowledge, "ny.yaml", "ny", "Ny fråga?", "Nytt svar.")
    await asyncio.sleep(1.2)
    assert await version(client) == before


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this OS")
async def test_sighup_reloads(aiohttp_client, tmp_path):
    knowledge = copy_knowledge(tmp_path)
    client = await aiohttp_client(create_app(settings_for(tmp_path, knowledge, watch=False)))
    before = await version(client)
    add_topic(knowledge, "ny.yaml", "ny", "Ny fråga?", "Nytt svar.")
    # only send it when the app's handler is in place: the default action ends the process
    assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN, None)
    os.kill(os.getpid(), signal.SIGHUP)

    async def swapped() -> bool:
        return await version(client) != before

    await wait_for(swapped, timeout=PATIENCE)


# -- 100 reloads while requests stream in ----------------------------------------------

MUNICIPALITIES = "municipalities:\n  - id: krokom\n    name: Krokom\n    places: [Krokom]\n"


def write_version(folder: Path, gen: int) -> None:
    """A good version `gen`: two files that must be read together, and a file that comes
    and goes. Every text carries the generation, so a reply mixing two is caught."""
    (folder / "a.yaml").write_text(
        f"topics:\n  - id: alfa\n    title: Alfa gen-{gen}\n"
        f"    questions: [Hur fungerar alfa?]\n    answer: Alfa svar gen-{gen}.\n"
        "    related: [beta]\n", encoding="utf-8")
    (folder / "b.yaml").write_text(
        f"topics:\n  - id: beta\n    title: Beta gen-{gen}\n"
        f"    questions: [Vad gäller för beta gen-{gen}?]\n    answer: Beta svar gen-{gen}.\n"
        , encoding="utf-8")
    extra = folder / "extra.yaml"
    if gen % 2:
        add_topic(folder, "extra.yaml", "gamma", "Vad är gamma?", f"Gamma gen-{gen}.")
    elif extra.exists():
        extra.unlink()


def write_broken(folder: Path, gen: int) -> None:
    """A broken edit: a.yaml changes but b.yaml has a misspelt field or bad YAML."""
    (folder / "a.yaml").write_text(
        f"topics:\n  - id: alfa\n    title: Alfa trasig-{gen}\n"
        "    questions: [Hur fungerar alfa?]\n    answer: x\n    related: [beta]\n",
        encoding="utf-8")
    broken = ("topics:\n  - id: beta\n    title: B\n    quesitons: [B?]\n    answer: x\n"
              if gen % 2 else "topics:\n  - id: beta\n    title: [unclosed\n")
    (folder / "b.yaml").write_text(broken, encoding="utf-8")


async def test_100_reloads_while_requests_stream_in(aiohttp_client, tmp_path):
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "m.yaml").write_text(MUNICIPALITIES, encoding="utf-8")
    write_version(folder, 0)
    app = create_app(settings_for(tmp_path, folder, watch=False, record=False,
                                  chat_per_minute=0))  # one client streaming: no limit
    client = await aiohttp_client(app)
    reloader = app[reloader_key]
    done = asyncio.Event()
    seen: list[int] = []
    failures: list[str] = []

    async def learner() -> None:
        while not done.is_set():
            response = await client.post("/api/chat", json={"message": "Hur fungerar alfa?"})
            if response.status != 200:
                failures.append(f"status {response.status}: {await response.text()}")
                continue
            body = await response.text()
            gens = set(re.findall(r"gen-(\d+)", body))
            if len(gens) != 1 or "trasig" in body:
                failures.append(f"mixed or broken knowledge served: {gens} {body[:200]}")
            else:
                seen.append(int(gens.pop()))

    started = time.monotonic()
    learners = [asyncio.create_task(learner()) for _ in range(8)]
    good = rejected = 0
    last_good = 0
    for gen in range(1, 101):
        if gen % 4 == 0:
            write_broken(folder, gen)
            assert not await reloader.reload("test")
            assert app[holder_key].rejected
            rejected += 1
        else:
            write_version(folder, gen)
            assert await reloader.reload("test")
            good += 1
            last_good = gen
        await asyncio.sleep(0)
    done.set()
    await asyncio.gather(*learners)
    elapsed = time.monotonic() - started

    assert failures == []
    assert (good, rejected) == (75, 25)
    assert len(seen) >= 100, f"only {len(seen)} requests in {elapsed:.1f} s"
    assert len(set(seen)) > 10  # the learners saw many versions come and go
    final = await (await client.post("/api/chat", json={"message": "Hur fungerar alfa?"})).text()
    assert f"gen-{last_good}" in final
    print(f"\n100 reloads ({good} good, {rejected} rejected) in {elapsed:.2f} s; "
          f"{len(seen)} requests, {len(failures)} failures")


def test_an_edit_answers_with_the_weights_fitted_before_it(tmp_path):
    # Until its own fit is done, an edited knowledge answers with the model the
    # version before it was fitted with, not the shipped defaults.
    from navguide.holder import build, fitted
    from navguide.matcher.defaults import default_model
    from navguide.matcher.prepare import Preparation

    folder = copy_knowledge(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    for model in CACHE.glob("model-*.json"):  # the starter's fit, when a test made it
        shutil.copy(model, cache)
    prep = Preparation(semantic=False, cache=cache)
    first = fitted(build(folder, prep), prep)
    assert first.matcher.model is not default_model(semantic=False)
    add_topic(folder, "extra.yaml", "extra-topic", "Hur bokar jag ett grupprum?",
              "Boka på biblioteket.")
    edited = build(folder, prep, first)
    assert edited.knowledge.version != first.knowledge.version
    assert edited.matcher.model is first.matcher.model
    # With nothing served before it (a start), the shipped defaults answer.
    assert build(folder, prep).matcher.model is default_model(semantic=False)
