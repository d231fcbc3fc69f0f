"""Shared fixtures: the real app from the factory, over small test knowledge."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import KNOWLEDGE, settings_for_tests


@pytest.fixture
def knowledge_dir() -> Path:
    return KNOWLEDGE


@pytest.fixture
async def client(aiohttp_client):  # type: ignore[no-untyped-def]
    from navguide.server.app import create_app

    return await aiohttp_client(create_app(settings_for_tests()))
