"""What the browser tests do on the page, and the API answers they compare it with."""

from __future__ import annotations

from typing import Any

import aiohttp

#: The demo's one variant present in every dataset of the network (four datasets, three nodes).
VARIANT = "22-16050075-A-G"


async def api(url: str, path: str, token: str | None = None) -> dict[str, Any]:
    """GET ``path`` of the API at site root ``url`` (no browser): the body of a 200."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url.rstrip('/')}{path}", headers=headers) as response,
    ):
        body: dict[str, Any] = await response.json()
        assert response.status == 200, body
        return body


def total(body: dict[str, Any]) -> int:
    found: int = body["responseSummary"]["numTotalResults"]
    return found


async def answered(page: Any) -> str:
    """Wait for the answer of the search just started: its summary line."""
    await page.wait_for_selector("#message:not(.busy)", state="attached")
    await page.wait_for_selector("#answer:not([hidden])")
    return str(await page.inner_text("#summary"))


async def search(
    page: Any,
    kind: str,
    text: str,
    entry: str = "g_variants",
    granularity: str = "record",
) -> str:
    """Search by the quick box (``kind`` "variant", "region" or "gene"; "" leaves it as it is,
    and an empty ``text`` asks for every record); the summary line of the answer."""
    await page.select_option("#entry", entry)
    await page.select_option("#granularity", granularity)
    if entry not in ("datasets", "cohorts"):
        if kind:
            await page.check(f"input[name=kind][value={kind}]")
        await page.fill("#query", text)
    await page.click("#go")
    return await answered(page)


async def column(page: Any, table: str, number: int) -> list[str]:
    """The texts of column ``number`` (1-based) of a table's body rows."""
    cells = page.locator(f"{table} tbody tr > :nth-child({number})")
    return [str(t) for t in await cells.all_inner_texts()]
