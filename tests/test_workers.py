"""`navguide serve --workers 2`: two processes on one port, kept running, stopped together."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support import KNOWLEDGE


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def get(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return json.load(response)


def wait(check, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not true after {timeout} s")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_two_workers_share_a_port_and_a_dead_one_is_replaced(tmp_path):
    port = free_port()
    env = {**os.environ, "NAVGUIDE_DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "navguide", "serve", "--knowledge", str(KNOWLEDGE),
         "--port", str(port), "--workers", "2", "--no-watch"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait(lambda: len(children(server.pid)) == 2 and get(port, "/api/health"))
        # a conversation continues on whichever worker gets the next message: one secret
        replies = []
        context = None
        for message in ("Hur söker jag till komvux?", "och i Krokom då?", "tack"):
            body = json.dumps({"message": message, "context": context}).encode()
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/chat", body,
                                             {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                replies.append(json.load(response))
            context = replies[-1]["context"]
        assert len(replies) == 3

        first = children(server.pid)
        victim = sorted(first)[0]
        os.kill(victim, signal.SIGKILL)
        wait(lambda: len(children(server.pid)) == 2 and victim not in children(server.pid))
        wait(lambda: get(port, "/api/health")["status"] == "ok")

        # a second server on the same port fails at once, saying why
        second = subprocess.run(
            [sys.executable, "-m", "navguide", "serve", "--knowledge", str(KNOWLEDGE),
             "--port", str(port), "--workers", "2", "--no-watch"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert second.stderr.strip().startswith("Error: cannot listen on")
    finally:
        workers = children(server.pid)
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert "Traceback" not in output
