"""Sign-in: the authorization code flow with PKCE against an in-process OIDC issuer, over the
network and over a node. The access token goes to the beacon as the bearer; the page says who
is signed in and which datasets the token opened (the Spanish node's controlled cohort,
answered at record level only when signed in); a cancelled, forged, refused or expired sign-in
says so and leaves the page anonymous."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from beacon.demo import plan as demo_plan
from tests.auth import AUDIENCE, Issuers
from tests.demo.conftest import Loaded
from tests.web.ui.conftest import Tab
from tests.web.ui.helpers import answered, column, search
from tests.web.ui.oidc import CLIENT_ID, OidcIssuer
from tests.web.ui.servers import Demo, serve, start_demo

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

CONTROLLED = "synthetic-es-controlled"
WHO = "Signed in as Rosalind Franklin (rosalind@example.org)"


@dataclass
class World:
    demo: Demo
    oidc: OidcIssuer


def trust(oidc: OidcIssuer) -> str:
    """The es node's extra settings: the issuer's access tokens and the DAC's visas trusted."""
    return f"""
[[access.issuers]]
iss = "{oidc.url}"
jwks_uri = "{oidc.url}login/jwks"
audiences = ["{AUDIENCE}"]
visas = false

[[access.issuers]]
iss = "{oidc.issuers.dac.iss}"
jwks_uri = "{oidc.url}dac/jwks"
access_tokens = false
"""


def sign_in(oidc: OidcIssuer) -> str:
    return f"""
[server.sign_in]
issuer = "{oidc.url}"
client_id = "{CLIENT_ID}"
scopes = ["openid", "profile", "email", "ga4gh_passport_v1"]
"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(loaded: Loaded, mongo_uri: str) -> AsyncIterator[World]:
    issuers = Issuers()
    issuers.dac.iss = demo_plan.DEMO_DAC  # the committee the demo's controlled cohort names
    oidc = OidcIssuer(
        issuers, visas=[issuers.dac.visa("ControlledAccessGrants", demo_plan.CONTROLLED_VISA)]
    )
    url, runner = await serve(oidc.app())
    oidc.url = url
    issuers.login.iss = url
    running = None
    try:
        extra = {"es": trust(oidc) + sign_in(oidc)}
        running = await start_demo(loaded, mongo_uri, extra, sign_in(oidc), forward=("es",))
        oidc.redirect_uris = {running.network, running.nodes["es"]}
        yield World(running, oidc)
    finally:
        if running is not None:
            await running.close()
        await runner.cleanup()


@pytest.fixture(autouse=True)
def fresh_issuer(world: World) -> None:
    world.oidc.rogue = False
    world.oidc.expires_in = 300
    world.oidc.token_endpoint = ""
    world.oidc.refused.clear()


async def _sign_in(page: Any, oidc: OidcIssuer, choice: str = "#approve") -> None:
    """Click Sign in, answer the issuer's login page, come back to the page."""
    await page.click("#sign-in")
    await page.wait_for_url(f"{oidc.url}authorize?**")
    await page.click(choice)
    await page.wait_for_selector("body[data-ready=true]")


async def _levels(page: Any, table: str) -> dict[str, str]:
    return dict(zip(await column(page, table, 1), await column(page, table, 3), strict=True))


async def _bearer_of_next_search(page: Any) -> str | None:
    async with page.expect_request("**/api/individuals") as waiting:
        await page.click("#go")
    request = await waiting.value
    await answered(page)
    header: str | None = (await request.all_headers()).get("authorization")
    return header


async def test_signing_in_over_the_network_opens_the_controlled_cohort(
    tab: Tab, world: World
) -> None:
    page = await tab.open(world.demo.network)
    assert await page.is_visible("#sign-in")
    assert await page.is_hidden("#who")
    await search(page, "", "", entry="individuals")
    controlled = f"es:{CONTROLLED}"
    assert (await _levels(page, "#sets"))[controlled] == "count only"

    logins = world.oidc.logins
    await _sign_in(page, world.oidc)
    assert world.oidc.logins == logins + 1
    assert world.oidc.refused == []  # the code, its client, redirect URI and PKCE verifier
    assert await page.inner_text("#who") == WHO
    assert page.url == world.demo.network  # the code and state are gone from the address
    assert await page.is_hidden("#sign-in")
    await page.wait_for_selector("#access:not([hidden])")
    assert await page.inner_text("#access-summary") == (
        f"Your sign-in opened 1 dataset: {controlled} (their individuals, compared with what "
        "anyone sees)."
    )
    rows = [r.split("\t") for r in await page.locator("#access-table tbody tr").all_inner_texts()]
    assert [controlled, "count only", "records"] in rows
    assert ["es:synthetic-es", "records", "records"] in rows

    # Every search now carries the token as its bearer, and the cohort answers with records.
    await page.select_option("#entry", "individuals")
    bearer = await _bearer_of_next_search(page)
    assert bearer is not None
    assert bearer.startswith("Bearer ey")
    assert bearer.removeprefix("Bearer ") in world.oidc.tokens
    assert (await _levels(page, "#sets"))[controlled] == "records · opened by your sign-in"
    assert await page.locator(f"#records tbody tr[data-set='{controlled}']").count() == 8
    # The session is this tab's: kept over a reload, never in localStorage.
    await page.reload()
    await page.wait_for_selector("body[data-ready=true]")
    assert await page.inner_text("#who") == WHO
    assert await page.evaluate("localStorage.length") == 0

    await page.click("#sign-out")
    assert await page.is_visible("#sign-in")
    assert await page.is_hidden("#access")
    assert await page.inner_text("#message") == "Signed out: answers are now what anyone sees."
    await page.select_option("#entry", "individuals")
    assert await _bearer_of_next_search(page) is None
    assert (await _levels(page, "#sets"))[controlled] == "count only"
    assert tab.errors == []  # nothing the CSP refused, either


async def test_signing_in_on_a_node(tab: Tab, world: World) -> None:
    page = await tab.open(world.demo.nodes["es"])
    await _sign_in(page, world.oidc)
    assert await page.inner_text("#who") == WHO
    await page.wait_for_selector("#access:not([hidden])")
    assert await page.inner_text("#access-summary") == (
        f"Your sign-in opened 1 dataset: {CONTROLLED} (their individuals, compared with what "
        "anyone sees)."
    )
    summary = await search(page, "", "", entry="datasets")
    assert summary.startswith("Found: 2 datasets · record level"), summary
    assert sorted(await column(page, "#records", 1)) == ["synthetic-es", CONTROLLED]
    assert tab.errors == []


async def test_a_cancelled_sign_in_says_so(tab: Tab, world: World) -> None:
    page = await tab.open(world.demo.network)
    await _sign_in(page, world.oidc, "#cancel")
    assert await page.inner_text("#account-message") == (
        "sign-in did not complete: access_denied (the user said no)"
    )
    assert await page.is_visible("#sign-in")
    assert await page.is_hidden("#who")
    assert tab.errors == []


async def test_a_forged_answer_is_not_taken(tab: Tab, world: World) -> None:
    page = await tab.open(f"{world.demo.network}?code=stolen&state=guessed")
    assert await page.inner_text("#account-message") == (
        "sign-in refused: the answer does not belong to a sign-in started here (state)"
    )
    assert not [u for u in tab.requests if u.startswith(f"{world.oidc.url}token")]
    assert await page.is_hidden("#who")
    assert page.url == world.demo.network


async def test_a_token_the_beacon_refuses_is_said_to_be_refused(tab: Tab, world: World) -> None:
    world.oidc.rogue = True  # signed by an issuer the node does not trust
    page = await tab.open(world.demo.nodes["es"])
    await _sign_in(page, world.oidc)
    assert await page.inner_text("#who") == WHO  # the issuer did sign the user in
    message = await page.inner_text("#account-message")
    assert message.startswith("The beacon refused your sign-in (401: the bearer token"), message
    assert message.endswith("Sign out, then sign in again.")
    assert tab.failures
    assert all(status == 401 for status, _ in tab.failures)


async def test_an_expired_sign_in_ends(tab: Tab, world: World) -> None:
    world.oidc.expires_in = 1
    page = await tab.open(world.demo.network)
    await _sign_in(page, world.oidc)
    assert await page.inner_text("#who") == WHO
    await page.wait_for_selector("#sign-in:not([hidden])", timeout=5000)
    assert await page.inner_text("#account-message") == (
        "Your sign-in expired: sign in again to see more than anyone can."
    )
    assert await page.evaluate("sessionStorage.length") == 0


async def test_an_issuer_the_page_may_not_call_is_named(tab: Tab, world: World) -> None:
    world.oidc.token_endpoint = "https://tokens.example.org/token"
    page = await tab.open(world.demo.network)
    await page.click("#sign-in")
    await page.wait_for_selector("#account-message:not([hidden])")
    origin = world.oidc.url.rstrip("/")
    assert await page.inner_text("#account-message") == (
        "Sign-in failed: the issuer's token_endpoint https://tokens.example.org/token is on "
        f"another origin than the issuer; the page may call {origin} only"
    )
    assert page.url == world.demo.network  # never sent to the login page
    assert tab.errors == []
