"""The GA4GH AAI flow as LS Login runs it, end to end against an in-process broker on loopback.

The broker publishes its OpenID configuration, keys, userinfo and introspection; the node is
configured with its ``iss`` alone (``discover = true``). A caller's bearer is an access token —
opaque, as LS Login issues them, or a JWT without a passport — and the node fetches the
passport from userinfo. ds2 is CONTROLLED and granted only by its own DAC (``dac``); ds1 is
REGISTERED and counted for the public.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from beacon.config import ConfigError
from beacon.node.keys import VERIFIER
from beacon.store.client import Database
from tests.auth import (
    CLIENT_ID,
    CLIENT_SECRET,
    DAC,
    Issuers,
    bearer,
    grant_value,
    lslogin_toml,
)
from tests.conftest import Client
from tests.node.conftest import Configured

POLICIES = f"""
[[access.datasets]]
id = "ds1"
security_level = "REGISTERED"
public = "count"

[[access.datasets]]
id = "ds2"
security_level = "CONTROLLED"
visa_values = ["{grant_value("ds2")}"]
visa_issuers = ["{DAC}"]
"""
RECORDS = {"requestedGranularity": "record", "includeResultsetResponses": "ALL", "limit": "0"}


async def ask(api: Client, token: str | None, status: int = 200) -> dict[str, Any]:
    headers = bearer(token) if token else {}
    response = await api.get("/api/individuals", params=RECORDS, headers=headers)
    body = await response.json()
    assert response.status == status, body
    return body  # type: ignore[no-any-return]


def opened(body: dict[str, Any]) -> dict[str, list[str]]:
    """dataset -> the record ids it gave."""
    return {
        s["id"]: sorted(r["id"] for r in s["results"])
        for s in body.get("response", {}).get("resultSets", [])
    }


@pytest.fixture
async def lslogin(checklist: Database, configured: Configured, issuers: Issuers) -> Client:
    """A node that trusts the LS-Login-like broker for (opaque) access tokens via userinfo."""
    return await configured(POLICIES + lslogin_toml(issuers))


# -- the LS Login flow -----------------------------------------------------------------------


async def test_an_opaque_ls_login_token_opens_the_dataset_only_with_its_own_dacs_grant(
    lslogin: Client, issuers: Issuers, schemas: Any
) -> None:
    broker = issuers.lslogin
    bona_fide = issuers.bona_fide(broker)
    own = broker.access_token(issuers.grant("ds2"), *bona_fide, opaque=True)
    body = await ask(lslogin, own)
    schemas.assert_response(body)
    assert opened(body) == {"ds1": ["ind1", "ind3"], "ds2": ["ind2"]}
    assert broker.count("userinfo") == 1
    # The same value signed by another trusted DAC, and a self-asserted grant: nothing.
    foreign = issuers.dac2.visa("ControlledAccessGrants", grant_value("ds2"))
    self_asserted = issuers.grant("ds2", by="self")
    for visas in ([foreign], [self_asserted]):
        other = broker.access_token(*visas, *bona_fide, opaque=True)
        assert opened(await ask(lslogin, other)) == {"ds1": ["ind1", "ind3"]}


async def test_a_jwt_access_token_gets_its_passport_from_userinfo_once(
    lslogin: Client, issuers: Issuers
) -> None:
    broker = issuers.lslogin
    token = broker.access_token(issuers.grant("ds2"))
    for _ in range(3):
        assert opened(await ask(lslogin, token))["ds2"] == ["ind2"]
    assert broker.count("userinfo") == 1, "the passport is cached for the token"
    assert broker.count("configuration") == 1
    assert broker.count("jwks") == 1
    # Concurrent first requests with a new token share one userinfo call.
    fresh = broker.access_token(issuers.grant("ds2"), opaque=True)
    await asyncio.gather(*(ask(lslogin, fresh) for _ in range(5)))
    assert broker.count("userinfo") == 2


async def test_a_token_without_the_passport_scope_is_not_sent_to_userinfo(
    lslogin: Client, issuers: Issuers
) -> None:
    token = issuers.lslogin.access_token(issuers.grant("ds2"), scope="openid email")
    assert opened(await ask(lslogin, token)) == {}
    assert issuers.lslogin.count("userinfo") == 0
    scoped = issuers.lslogin.access_token(issuers.grant("ds2"), scope="openid ga4gh_passport_v1")
    assert opened(await ask(lslogin, scoped))["ds2"] == ["ind2"]


async def test_the_cached_passport_lives_no_longer_than_its_token_or_its_visas(
    lslogin: Client, issuers: Issuers
) -> None:
    broker = issuers.lslogin
    verifier = lslogin.app[VERIFIER]
    short_grant = issuers.grant("ds2", lifetime=60)
    token = broker.access_token(short_grant, *issuers.bona_fide(broker), lifetime=600)
    assert opened(await ask(lslogin, token))["ds2"] == ["ind2"]
    assert broker.count("userinfo") == 1
    # 61 s later the grant has expired: the cache entry went with it, and the grant, fetched
    # again, no longer counts — although the token itself is still valid.
    verifier.clock = lambda: time.time() + 61
    assert opened(await ask(lslogin, token)) == {"ds1": ["ind1", "ind3"]}
    assert broker.count("userinfo") == 2
    # A token that lives 30 s is not reused past its own expiry.
    verifier.clock = time.time
    brief = broker.access_token(issuers.grant("ds2", lifetime=600), lifetime=30)
    await ask(lslogin, brief)
    await ask(lslogin, brief)
    assert broker.count("userinfo") == 3
    verifier.clock = lambda: time.time() + 31
    await ask(lslogin, brief)
    assert broker.count("userinfo") == 4


async def test_opaque_tokens_via_userinfo_are_reused_for_userinfo_cache_s_at_most(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(POLICIES + lslogin_toml(issuers), BEACON_USERINFO_CACHE="20")
    token = issuers.lslogin.access_token(issuers.grant("ds2"), opaque=True, lifetime=3600)
    await ask(api, token)
    await ask(api, token)
    assert issuers.lslogin.count("userinfo") == 1
    api.app[VERIFIER].clock = lambda: time.time() + 21
    await ask(api, token)
    assert issuers.lslogin.count("userinfo") == 2


# -- failures: 401 for the token's fault, 503 for the issuer's -------------------------------


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("down", "answered HTTP 503"),
        ("garbage", "did not answer JSON"),
        ("jwt", "answered a signed JWT (application/jwt)"),
    ],
)
async def test_userinfo_failures_are_503_with_the_reason(
    lslogin: Client, issuers: Issuers, mode: str, reason: str
) -> None:
    issuers.lslogin.userinfo_mode = mode
    token = issuers.lslogin.access_token(issuers.grant("ds2"), opaque=True)
    body = await ask(lslogin, token, status=503)
    assert reason in body["error"]["errorMessage"]
    assert issuers.lslogin.iss in body["error"]["errorMessage"]
    assert token not in str(body)
    # Nothing was cached: once the broker is back, the same token works.
    issuers.lslogin.userinfo_mode = "ok"
    assert opened(await ask(lslogin, token))["ds2"] == ["ind2"]


async def test_a_revoked_or_unknown_token_is_a_401(lslogin: Client, issuers: Issuers) -> None:
    broker = issuers.lslogin
    token = broker.access_token(issuers.grant("ds2"), opaque=True)
    broker.sessions[token].active = False
    body = await ask(lslogin, token, status=401)
    assert "was refused by the userinfo endpoint" in body["error"]["errorMessage"]
    body = await ask(lslogin, "never-issued-opaque-token", status=401)
    assert "HTTP 401" in body["error"]["errorMessage"]


async def test_userinfo_for_another_subject_is_a_401(lslogin: Client, issuers: Issuers) -> None:
    issuers.lslogin.userinfo_mode = "other-subject"
    token = issuers.lslogin.access_token(issuers.grant("ds2"))
    body = await ask(lslogin, token, status=401)
    assert "userinfo answer for another subject" in body["error"]["errorMessage"]


async def test_an_unreachable_or_foreign_openid_configuration_is_a_503(
    lslogin: Client, issuers: Issuers
) -> None:
    broker = issuers.lslogin
    broker.down = True
    for token in (
        broker.access_token(issuers.grant("ds2"), opaque=True),
        broker.access_token(issuers.grant("ds2")),  # a JWT: its keys are named there too
    ):
        body = await ask(lslogin, token, status=503)
        assert "OpenID configuration of issuer" in body["error"]["errorMessage"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"issuer": "https://impostor.test/"}, id="another-issuer"),
        pytest.param({"userinfo_endpoint": "http://userinfo.example.org/"}, id="plain-http"),
        pytest.param({"jwks_uri": ""}, id="no-keys"),
    ],
)
async def test_discovery_accepts_only_the_issuers_own_https_configuration(
    lslogin: Client, issuers: Issuers, change: dict[str, str]
) -> None:
    broker = issuers.lslogin
    broker.configuration = {**broker.openid_configuration(), **change}
    token = broker.access_token(issuers.grant("ds2"), opaque=True)
    body = await ask(lslogin, token, status=503)
    assert "OpenID configuration" in body["error"]["errorMessage"]
    assert broker.count("userinfo") == 0


async def test_opaque_tokens_are_refused_unless_an_issuer_takes_them(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(POLICIES + lslogin_toml(issuers, ""))
    token = issuers.lslogin.access_token(issuers.grant("ds2"), opaque=True)
    body = await ask(api, token, status=401)
    assert "not a well-formed JWT" in body["error"]["errorMessage"]
    assert issuers.lslogin.count("userinfo") == 0


# -- introspection ---------------------------------------------------------------------------


def introspecting(issuers: Issuers) -> str:
    settings = f'opaque_tokens = "introspect"\nclient_id = "{CLIENT_ID}"\n'
    return POLICIES + lslogin_toml(issuers, settings + 'client_secret_env = "LSLOGIN_SECRET"')


async def test_introspection_checks_the_opaque_tokens_audience_and_expiry(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(introspecting(issuers), LSLOGIN_SECRET=CLIENT_SECRET)
    broker = issuers.lslogin
    token = broker.access_token(issuers.grant("ds2"), opaque=True)
    assert opened(await ask(api, token))["ds2"] == ["ind2"]
    assert (broker.count("introspect"), broker.count("userinfo")) == (1, 1)
    elsewhere = broker.access_token(issuers.grant("ds2"), opaque=True, aud="https://other.test")
    body = await ask(api, elsewhere, status=401)
    assert "not meant for this beacon (aud)" in body["error"]["errorMessage"]
    assert broker.count("userinfo") == 1, "a token for another audience never reaches userinfo"
    revoked = broker.access_token(issuers.grant("ds2"), opaque=True)
    broker.sessions[revoked].active = False
    body = await ask(api, revoked, status=401)
    assert "is not active" in body["error"]["errorMessage"]
    # The introspected exp bounds the cache, and is checked like a JWT's (with the leeway).
    brief = broker.access_token(issuers.grant("ds2"), opaque=True, lifetime=30)
    await ask(api, brief)
    await ask(api, brief)
    assert broker.count("introspect") == 4
    api.app[VERIFIER].clock = lambda: time.time() + 31
    await ask(api, brief)
    assert broker.count("introspect") == 5
    api.app[VERIFIER].clock = lambda: time.time() + 61
    body = await ask(api, brief, status=401)
    assert "has expired" in body["error"]["errorMessage"]


async def test_introspection_with_wrong_client_credentials_is_a_503(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(introspecting(issuers), LSLOGIN_SECRET="wrong")
    token = issuers.lslogin.access_token(issuers.grant("ds2"), opaque=True)
    body = await ask(api, token, status=503)
    assert "refused this beacon's client credentials" in body["error"]["errorMessage"]


# -- the passport JWT flow keeps working beside it --------------------------------------------


async def test_a_passport_jwt_still_works_beside_the_userinfo_flow(
    lslogin: Client, issuers: Issuers
) -> None:
    passport = issuers.login.passport(issuers.grant("ds2"))
    assert opened(await ask(lslogin, passport))["ds2"] == ["ind2"]
    assert issuers.lslogin.count("userinfo") == 0


async def test_a_missing_client_secret_stops_the_start(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    with pytest.raises(ConfigError, match=r"client_secret_env: the variable \$LSLOGIN_SECRET"):
        await configured(introspecting(issuers))
