"""Fixtures for access-control tests: test issuers served over HTTP, nodes that trust them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.auth import Issuers, access_toml, write_config
from tests.conftest import Client

Configured = Callable[..., Awaitable[Client]]


@pytest.fixture
async def issuers(aiohttp_server: Any) -> Issuers:
    return await Issuers().serve(aiohttp_server)


@pytest.fixture
def configured(
    tmp_path: Path, issuers: Issuers, node: Callable[..., Awaitable[Client]]
) -> Configured:
    """A node trusting the test issuers, with the given ``[[access.datasets]]`` policies.

    Datasets without a policy are hidden (the production default), and unknown key ids refetch
    at once unless a test sets ``BEACON_JWKS_MIN_REFRESH``.
    """

    async def make(datasets: str, login: str = "", extra: str = "", **env: str) -> Client:
        path = write_config(tmp_path, access_toml(issuers, datasets, extra, login))
        settings = {"BEACON_UNDECLARED_DATASETS": "hidden", "BEACON_JWKS_MIN_REFRESH": "0"}
        return await node(BEACON_CONFIG=path, **{**settings, **env})

    return make
