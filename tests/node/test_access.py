"""Passports end to end: real keys, a real JWKS server, the real node over the checklist data.

ds1 is a REGISTERED dataset that anonymous callers see at count level; ds2 is CONTROLLED,
boolean-only for bona fide researchers and invisible to anyone else without the grant.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from beacon.store.client import Database
from ingest import pipeline
from tests.auth import AUDIENCE, DAC, Issuers, bearer, grant_value
from tests.conftest import CHECKLIST, Client
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
registered = "boolean"
"""
RECORDS = {"requestedGranularity": "record", "includeResultsetResponses": "ALL", "limit": "0"}


@pytest.fixture
async def api(checklist: Database, configured: Configured) -> Client:
    return await configured(POLICIES)


async def query(
    api: Client,
    token: str | None = None,
    path: str = "/api/individuals",
    status: int = 200,
    **params: str,
) -> dict[str, Any]:
    headers = bearer(token) if token else {}
    response = await api.get(path, params={**RECORDS, **params}, headers=headers)
    body = await response.json()
    assert response.status == status, body
    return body  # type: ignore[no-any-return]


def sets(body: dict[str, Any]) -> dict[str, tuple[int, list[str], str | None]]:
    """dataset -> (resultsCount, record ids, info.returnedGranularity)."""
    return {
        s["id"]: (
            s["resultsCount"],
            sorted(r["id"] for r in s["results"]),
            s.get("info", {}).get("returnedGranularity"),
        )
        for s in body.get("response", {}).get("resultSets", [])
    }


# -- tiers -----------------------------------------------------------------------------------


async def test_anonymous_caller_is_capped_at_the_public_tier(api: Client, schemas: Any) -> None:
    body = await query(api)
    schemas.assert_response(body)
    assert body["meta"]["returnedGranularity"] == "count"
    # ds1 only: ind1 and ind3; ds2 (ind2) is invisible
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 2}
    assert "response" not in body


async def test_valid_passport_opens_the_controlled_dataset_at_record_level(
    api: Client, issuers: Issuers, schemas: Any
) -> None:
    token = issuers.login.passport(issuers.grant("ds2"), *issuers.bona_fide())
    body = await query(api, token)
    schemas.assert_response(body)
    assert body["meta"]["returnedGranularity"] == "record"
    assert sets(body) == {"ds1": (2, ["ind1", "ind3"], None), "ds2": (1, ["ind2"], None)}
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 3}


async def test_registered_tier_sees_records_of_registered_and_only_existence_of_controlled(
    api: Client, issuers: Issuers, schemas: Any
) -> None:
    body = await query(api, issuers.login.passport(*issuers.bona_fide()))
    schemas.assert_response(body)
    assert body["meta"]["returnedGranularity"] == "record"
    # ds2 is answered at boolean level: no result set, no count, only its share of exists
    assert sets(body) == {"ds1": (2, ["ind1", "ind3"], None)}
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 2}
    only_ds2 = await query(
        api, issuers.login.passport(*issuers.bona_fide()), "/api/individuals/ind2"
    )
    assert only_ds2["responseSummary"] == {"exists": True, "numTotalResults": 0}
    assert sets(only_ds2) == {"ds1": (0, [], None)}


async def test_grant_without_bona_fide_mixes_tiers_per_dataset(
    api: Client, issuers: Issuers, schemas: Any
) -> None:
    body = await query(api, issuers.login.passport(issuers.grant("ds2")))
    schemas.assert_response(body)
    assert body["meta"]["returnedGranularity"] == "record"
    # ds1 stays at the public tier (count): its count, never its records
    assert sets(body) == {"ds1": (2, [], "count"), "ds2": (1, ["ind2"], None)}


async def test_a_grant_for_another_dataset_opens_nothing(api: Client, issuers: Issuers) -> None:
    body = await query(api, issuers.login.passport(issuers.grant("ds9")))
    assert body["meta"]["returnedGranularity"] == "count"
    assert body["responseSummary"]["numTotalResults"] == 2
    # visa values match exactly: a value merely ending in the dataset id grants nothing
    suffix = issuers.dac.visa("ControlledAccessGrants", "https://elsewhere.test/ds2")
    assert (await query(api, issuers.login.passport(suffix)))["responseSummary"][
        "numTotalResults"
    ] == 2


async def test_login_issuer_may_register_its_users(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(POLICIES, login="login_is_registered = true")
    body = await query(api, issuers.login.passport())
    assert sets(body) == {"ds1": (2, ["ind1", "ind3"], None)}


# -- visas that grant nothing ----------------------------------------------------------------


def forged_visa(issuers: Issuers, **headers: Any) -> str:
    """A ds2 grant claiming to come from the DAC, signed with the rogue issuer's key."""
    claims = issuers.dac.claims(
        ga4gh_visa_v1={"type": "ControlledAccessGrants", "value": grant_value("ds2")}
    )
    return issuers.rogue.sign(claims, headers)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda i: forged_visa(i), id="signed-by-untrusted-key"),
        pytest.param(lambda i: forged_visa(i, jku=i.rogue.jwks_uri), id="jku-names-rogue-keys"),
        pytest.param(
            lambda i: i.rogue.visa("ControlledAccessGrants", grant_value("ds2")),
            id="untrusted-issuer",
        ),
        pytest.param(lambda i: i.grant("ds2", lifetime=-3600), id="expired"),
        pytest.param(lambda i: i.grant("ds2", sub="someone-else"), id="other-subject"),
        pytest.param(
            lambda i: i.dac.sign(
                i.dac.claims(
                    ga4gh_visa_v1={
                        "type": "ControlledAccessGrants",
                        "value": grant_value("ds2"),
                        "conditions": [[{"type": "AffiliationAndRole", "value": "x"}]],
                    }
                )
            ),
            id="with-conditions",
        ),
        pytest.param(lambda i: i.grant("ds2")[:-4] + "AAAA", id="tampered-signature"),
        pytest.param(
            lambda i: i.login.sign(
                i.login.claims(
                    ga4gh_visa_v1={"type": "ControlledAccessGrants", "value": grant_value("ds2")}
                )
            ),
            id="issuer-not-trusted-for-visas-only-tokens",
        ),
    ],
)
async def test_invalid_visa_grants_nothing_but_the_request_goes_on(
    api: Client, issuers: Issuers, make: Callable[[Issuers], str]
) -> None:
    body = await query(api, issuers.login.passport(make(issuers)))
    assert body["meta"]["returnedGranularity"] == "count"
    assert body["responseSummary"]["numTotalResults"] == 2  # ds2 stays invisible
    assert issuers.rogue.fetches == 0, "a key URL named by a token was fetched"


# -- bearer tokens that are a 401 ------------------------------------------------------------


def tampered(token: str) -> str:
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["sub"] = "admin"
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{header}.{forged}.{signature}"


def unsigned(claims: dict[str, Any]) -> str:
    """An "alg": "none" token: a header, the claims, and an empty signature."""
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{header}.{payload}."


UNAUTHORISED: list[Any] = [
    pytest.param(lambda i: i.login.passport(lifetime=-3600), "has expired", id="expired"),
    pytest.param(
        lambda i: tampered(i.login.passport()), "does not verify with the keys", id="tampered"
    ),
    pytest.param(lambda i: i.rogue.passport(), "https://rogue.test, not trusted", id="rogue-iss"),
    pytest.param(
        lambda i: i.dac.passport(), "https://dac.test, not trusted", id="visa-only-issuer"
    ),
    pytest.param(
        lambda i: i.login.sign(i.login.claims(aud="https://other.test")), "aud", id="audience"
    ),
    pytest.param(lambda i: i.login.sign(i.login.claims()), "'aud'", id="no-audience"),
    pytest.param(
        lambda i: i.login.sign({"iss": i.login.iss, "sub": "x", "aud": AUDIENCE}),
        "'exp'",
        id="no-expiry",
    ),
    pytest.param(
        lambda i: i.login.passport(nbf=int(time.time()) + 3600),
        "not valid yet",
        id="not-before",
    ),
    pytest.param(
        lambda i: unsigned(i.login.claims(aud=AUDIENCE)),
        "algorithm none",
        id="alg-none",
    ),
    pytest.param(
        lambda i: jwt.encode(i.login.claims(aud=AUDIENCE), "k" * 32, algorithm="HS256"),
        "algorithm HS256",
        id="alg-hs256",
    ),
    pytest.param(
        lambda i: i.login.sign(i.login.claims(aud=AUDIENCE), {"kid": "unknown"}),
        "kid unknown",
        id="unknown-kid",
    ),
    pytest.param(lambda i: "not-a-jwt", "not a well-formed JWT", id="garbage"),
]


@pytest.mark.parametrize(("make", "reason"), UNAUTHORISED)
async def test_bad_token_is_401_never_anonymous(
    api: Client, issuers: Issuers, schemas: Any, make: Callable[[Issuers], str], reason: str
) -> None:
    token = make(issuers)
    response = await api.get("/api/individuals", headers=bearer(token))
    body = await response.json()
    assert response.status == 401, body
    schemas.assert_response(body)
    assert body["error"]["errorCode"] == 401
    assert reason in body["error"]["errorMessage"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert token not in await response.text()


async def test_authorization_header_must_be_bearer(api: Client) -> None:
    response = await api.get("/api/individuals", headers={"Authorization": "Basic dTpw"})
    assert response.status == 401
    assert "Bearer <token>" in (await response.json())["error"]["errorMessage"]


async def test_informational_endpoints_are_open_and_health_ignores_credentials(
    api: Client, issuers: Issuers, schemas: Any
) -> None:
    for path in ("/api/info", "/api/map", "/api/entry_types", "/api/filtering_terms"):
        assert (await api.get(path)).status == 200, path
    configuration = await (await api.get("/api/configuration")).json()
    schemas.assert_valid(configuration, schemas.RESPONSE_SCHEMAS["configuration"])
    assert configuration["response"]["securityAttributes"] == {
        "defaultGranularity": "record",
        "securityLevels": ["REGISTERED", "CONTROLLED"],
    }
    expired = bearer(issuers.login.passport(lifetime=-3600))
    assert (await api.get("/api/info", headers=expired)).status == 401
    assert (await api.get("/health", headers=expired)).status == 200


# -- keys: rotation and the refetch limit ----------------------------------------------------


async def test_key_rotation_is_picked_up_with_one_refetch(api: Client, issuers: Issuers) -> None:
    await query(api, issuers.login.passport(*issuers.bona_fide()))
    assert (issuers.login.fetches, issuers.dac.fetches) == (1, 1)
    await query(api, issuers.login.passport(*issuers.bona_fide()))
    assert (issuers.login.fetches, issuers.dac.fetches) == (1, 1), "keys are cached"
    issuers.login.rotate()
    issuers.dac.rotate()
    body = await query(api, issuers.login.passport(issuers.grant("ds2")))
    assert sets(body)["ds2"] == (1, ["ind2"], None)
    assert (issuers.login.fetches, issuers.dac.fetches) == (2, 2)


async def test_unknown_key_ids_refetch_at_most_once_per_interval(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(POLICIES, BEACON_JWKS_MIN_REFRESH="3600")
    await query(api, issuers.login.passport())
    for n in range(5):
        made_up = issuers.login.sign(issuers.login.claims(aud=AUDIENCE), {"kid": f"x{n}"})
        await query(api, made_up, status=401)
    assert issuers.login.fetches == 1
    issuers.login.rotate()  # a genuine rotation inside the interval waits for it to pass
    await query(api, issuers.login.passport(), status=401)
    assert issuers.login.fetches == 1


async def test_expired_key_sets_are_refetched_and_kept_when_the_issuer_is_down(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    api = await configured(POLICIES, BEACON_JWKS_TTL="0.001")
    await query(api, issuers.login.passport())
    await query(api, issuers.login.passport())
    assert issuers.login.fetches == 2
    issuers.login.down = True
    await query(api, issuers.login.passport())  # the known keys still verify
    assert issuers.login.fetches == 3


async def test_unreachable_key_set_is_503_not_anonymous(
    checklist: Database, configured: Configured, issuers: Issuers
) -> None:
    issuers.login.base_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    api = await configured(POLICIES)
    response = await api.get("/api/individuals", headers=bearer(issuers.login.passport()))
    assert response.status == 503
    assert "https://login.test" in (await response.json())["error"]["errorMessage"]


# -- test mode ---------------------------------------------------------------------------------


async def test_test_mode_needs_no_login_and_reaches_only_test_data(
    db: Database, configured: Configured, run_options: pipeline.RunOptions
) -> None:
    test_data = pipeline.RunOptions(run_options.settings, test=True)
    await pipeline.run_metadata(db, "ds2", [CHECKLIST / "ds2"], test_data)
    api = await configured(POLICIES)
    body = await query(api, testMode="true")
    assert body["meta"]["returnedGranularity"] == "record"
    assert sets(body) == {"ds2": (1, ["ind2"], None)}
    real = await query(api)
    assert real["responseSummary"] == {"exists": False, "numTotalResults": 0}
