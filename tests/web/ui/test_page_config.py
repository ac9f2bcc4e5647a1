"""What the page is told of the settings (its sign-in issuer, nothing else) and the CSP that
lets it call that issuer and nothing more; bad sign-in settings stop the program at start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from aggregator.app import create_app as create_network
from beacon.config import ConfigError, load_settings
from tests.conftest import Client

ISSUER = "https://login.aai.lifescience-ri.eu/oidc/"


def _policy(header: str) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in header.split("; ")}


async def test_without_an_issuer_the_page_has_no_sign_in_and_talks_to_itself(
    node: Callable[..., Awaitable[Client]],
) -> None:
    api = await node()
    config = await api.get("/static/config.json")
    assert config.status == 200
    assert await config.json() == {"signIn": None}
    policy = _policy((await api.get("/")).headers["Content-Security-Policy"])
    assert policy["connect-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["form-action"] == "'none'"


async def test_the_page_is_told_the_issuer_and_may_call_its_origin_only(
    node: Callable[..., Awaitable[Client]],
) -> None:
    api = await node(
        BEACON_SIGN_IN_ISSUER=ISSUER,
        BEACON_SIGN_IN_CLIENT_ID="beacon-page",
        BEACON_SIGN_IN_SCOPES="openid,profile,email,ga4gh_passport_v1",
        BEACON_ORG_NAME="Not for the page",
    )
    config = await (await api.get("/static/config.json")).json()
    assert config == {
        "signIn": {
            "issuer": ISSUER,
            "clientId": "beacon-page",
            "scopes": ["openid", "profile", "email", "ga4gh_passport_v1"],
        }
    }
    policy = _policy((await api.get("/")).headers["Content-Security-Policy"])
    assert policy["connect-src"] == "'self' https://login.aai.lifescience-ri.eu"
    assert policy["default-src"] == "'none'"


async def test_the_aggregator_serves_the_same_page_config(aiohttp_client: Any) -> None:
    settings = load_settings(
        None,
        {"BEACON_SIGN_IN_ISSUER": "http://127.0.0.1:9/", "BEACON_SIGN_IN_CLIENT_ID": "page"},
        "aggregator",
    )
    client = await aiohttp_client(create_network(settings, {}))
    config = await (await client.get("/static/config.json")).json()
    assert config["signIn"]["issuer"] == "http://127.0.0.1:9/"
    policy = _policy((await client.get("/")).headers["Content-Security-Policy"])
    assert policy["connect-src"] == "'self' http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"BEACON_SIGN_IN_ISSUER": "http://login.example.org/", "BEACON_SIGN_IN_CLIENT_ID": "x"},
            "server.sign_in.issuer: 'http://login.example.org/' is not an https URL",
        ),
        (
            {"BEACON_SIGN_IN_ISSUER": "login.example.org", "BEACON_SIGN_IN_CLIENT_ID": "x"},
            "is not an https URL",
        ),
        ({"BEACON_SIGN_IN_ISSUER": ISSUER}, "server.sign_in.client_id: required with an issuer"),
    ],
)
def test_bad_sign_in_settings_stop_the_program(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(None, environ)
